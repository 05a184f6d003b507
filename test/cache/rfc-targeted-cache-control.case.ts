// RFC 9213 targeted cache-control: CDN-Cache-Control, and the sidecar's own Sipup-Cache-Control ahead of it, decide
// for the sidecar instead of Cache-Control and Expires; the client never sees either field.
import t from '../helpers/cases.js'
import { page, setupCache } from './fixtures/setup.js'

const PAST = 'Thu, 19 Nov 1981 08:52:00 GMT'

t.test('Sipup-Cache-Control and CDN-Cache-Control decide for the cache; the client keeps the origin\'s Cache-Control', async t => {
  const c = await setupCache(t, {
    '/own': page({ 'cache-control': 'no-store', expires: PAST, 'sipup-cache-control': 'max-age=600' }, n => `own${n}`),
    '/cdn': page({ 'cache-control': 'no-store', expires: PAST, 'cdn-cache-control': 'Max-Age=600' }, n => `cdn${n}`),
    '/wins': page({ 'cache-control': 'max-age=600', 'cdn-cache-control': 'max-age=600', 'sipup-cache-control': 'no-store' }, n => `w${n}`),
    '/invalid': page({ 'cache-control': 'no-store', 'cdn-cache-control': 'max-age=60 0' }, n => `i${n}`),
    '/post': (_req, res) => { res.setHeader('cdn-cache-control', 'max-age=600'); res.setHeader('sipup-cache-control', 'max-age=600'); res.end('posted') }
  })
  for (const p of ['/own', '/cdn']) {
    const miss = await c.get(p)
    t.equal(miss.headers['x-cache'], 'MISS', p)
    t.equal(miss.headers['cache-status'], 'sipup; fwd=miss; stored', `${p} stored although Cache-Control says no-store`)
    const hit = await c.get(p)
    t.equal(hit.headers['x-cache'], 'HIT', p)
    t.equal(hit.body, `${p.slice(1)}1`)
    t.equal(hit.headers['cache-control'], 'no-store', 'browsers still get the origin\'s Cache-Control')
    for (const r of [miss, hit]) {
      t.equal(r.headers['sipup-cache-control'], undefined, `${p}: Sipup-Cache-Control never reaches the client`)
      t.equal(r.headers['cdn-cache-control'], undefined, `${p}: CDN-Cache-Control never reaches the client`)
    }
  }
  await c.get('/wins')
  t.equal((await c.get('/wins')).headers['x-cache'], 'MISS', 'Sipup-Cache-Control wins over CDN-Cache-Control and Cache-Control')
  await c.get('/invalid')
  t.equal((await c.get('/invalid')).headers['x-cache'], 'MISS', 'an invalid targeted field is ignored')
  const posted = await c.get('/post', {}, 'POST')
  t.equal(posted.headers['cdn-cache-control'], undefined, 'removed from responses the cache does not store too')
  t.equal(posted.headers['sipup-cache-control'], undefined)
})

t.test('the targeted header name is configurable, and CDN-Cache-Control can be left to a CDN in front', async t => {
  const c = await setupCache(t, {
    '/x': page({ 'cache-control': 'no-store', 'x-sidecar-cc': 'max-age=600', 'cdn-cache-control': 'max-age=5' }, n => `x${n}`),
    '/cdn': page({ 'cache-control': 'no-store', 'cdn-cache-control': 'max-age=600' }, n => `c${n}`)
  }, { targetedHeader: 'X-Sidecar-CC', cdnCacheControl: false })
  const miss = await c.get('/x')
  t.equal(miss.headers['x-sidecar-cc'], undefined)
  t.equal(miss.headers['cdn-cache-control'], 'max-age=5', 'passed on when cdnCacheControl is off')
  t.equal((await c.get('/x')).headers['x-cache'], 'HIT')
  await c.get('/cdn')
  t.equal((await c.get('/cdn')).headers['x-cache'], 'MISS', 'CDN-Cache-Control not obeyed when off')
})

t.test('a 304 without a targeted field keeps the stored one', async t => {
  const c = await setupCache(t, {
    '/r': (req, res, n) => {
      res.setHeader('cache-control', 'no-store')
      res.setHeader('etag', '"r"')
      if (req.headers['if-none-match'] === '"r"') { res.statusCode = 304; res.end(); return }
      res.setHeader('sipup-cache-control', 'max-age=1')
      res.setHeader('age', '2')
      res.end(`r${n}`)
    }
  })
  await c.get('/r')
  const reval = await c.get('/r')
  t.equal(reval.headers['x-cache'], 'REVALIDATED')
  t.equal(reval.body, 'r1')
  const hit = await c.get('/r')
  t.equal(hit.headers['x-cache'], 'HIT', 'the revalidated entry was stored under the kept targeted field')
  t.equal(hit.headers['sipup-cache-control'], undefined)
})
