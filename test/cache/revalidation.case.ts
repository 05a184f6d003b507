// Revalidation upstream (If-None-Match / If-Modified-Since, 304 merging) and client conditionals answered 304.
import t from '../helpers/cases.js'
import { page, setupCache } from './fixtures/setup.js'

t.test('a stale entry is revalidated with its ETag; the 304 refreshes it and its headers', async t => {
  const c = await setupCache(t, {
    '/e': (req, res, n) => {
      res.setHeader('etag', '"v1"')
      if (req.headers['if-none-match'] === '"v1"') {
        res.statusCode = 304
        res.setHeader('cache-control', 'max-age=60')
        res.setHeader('x-rev', String(n))
        res.end()
        return
      }
      // Already stale on arrival: the next request must revalidate.
      res.setHeader('cache-control', 'max-age=10')
      res.setHeader('age', '10')
      res.end('body-v1')
    }
  })
  await c.get('/e')
  const rev = await c.get('/e')
  t.equal(rev.status, 200)
  t.equal(rev.body, 'body-v1')
  t.equal(rev.headers['x-cache'], 'REVALIDATED')
  t.equal(rev.headers['cache-status'], 'sipup; fwd=stale; fwd-status=304')
  t.equal(rev.headers['x-rev'], '2', '304 headers are merged into the stored response')
  t.equal(c.origin.requests[1].headers['if-none-match'], '"v1"')
  const hit = await c.get('/e')
  t.equal(hit.headers['x-cache'], 'HIT', 'the 304 made the entry fresh again')
  t.equal(hit.headers['cache-control'], 'max-age=60')
  t.equal(c.hits('/e'), 2)
})

t.test('a 304 without ETag is matched by Last-Modified and reuses the stored body', async t => {
  const lm = 'Sun, 06 Nov 1994 08:49:37 GMT'
  const c = await setupCache(t, {
    '/lm': (req, res) => {
      if (req.headers['if-modified-since'] === lm) {
        res.statusCode = 304
        res.setHeader('cache-control', 'max-age=60')
        res.end()
        return
      }
      res.setHeader('cache-control', 'no-cache')
      res.setHeader('last-modified', lm)
      res.end('lm-body')
    }
  })
  await c.get('/lm')
  const rev = await c.get('/lm')
  t.equal(rev.body, 'lm-body')
  t.equal(rev.headers['x-cache'], 'REVALIDATED')
  t.equal(c.origin.requests[1].headers['if-modified-since'], lm)
})

t.test('a changed response replaces the stale one', async t => {
  const c = await setupCache(t, { '/c': page({ 'cache-control': 'max-age=10', age: '10', etag: '"x"' }, n => `v${n}`) })
  await c.get('/c')
  const next = await c.get('/c')
  t.equal(next.body, 'v2')
  t.equal(next.headers['cache-status'], 'sipup; fwd=stale; fwd-status=200; stored')
})

t.test('client conditionals are answered 304 from a fresh entry, without the origin', async t => {
  const lm = 'Sun, 06 Nov 1994 08:49:37 GMT'
  const c = await setupCache(t, { '/f': page({ 'cache-control': 'max-age=60', etag: '"abc"', 'last-modified': lm }, 'fresh') })
  await c.get('/f')
  const inm = await c.get('/f', { 'if-none-match': 'W/"abc"' })
  t.equal(inm.status, 304)
  t.equal(inm.body, '')
  t.equal(inm.headers.etag, '"abc"')
  t.equal(inm.headers['x-cache'], 'HIT')
  t.equal((await c.get('/f', { 'if-modified-since': lm })).status, 304)
  t.equal((await c.get('/f', { 'if-none-match': '"other"' })).status, 200)
  t.equal(c.hits('/f'), 1)
})

t.test('a client conditional on a miss still fills the cache (its validators are not forwarded)', async t => {
  const c = await setupCache(t, { '/m': page({ 'cache-control': 'max-age=60', etag: '"abc"' }, 'body') })
  const first = await c.get('/m', { 'if-none-match': '"abc"' })
  t.equal(first.status, 200)
  t.equal(c.origin.requests[0].headers['if-none-match'], undefined)
  t.equal((await c.get('/m')).headers['x-cache'], 'HIT')
})
