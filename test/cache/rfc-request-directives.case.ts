// RFC 9111 §5.2.1: request Cache-Control. no-store: never answered from the cache, its response never stored;
// no-cache (and Pragma: no-cache): the stored response is used only after the origin validated it.
import t from '../helpers/cases.js'
import { page, setupCache } from './fixtures/setup.js'

t.test('request no-store: not answered from the cache, and its response is not stored', async t => {
  const c = await setupCache(t, {
    '/a': page({ 'cache-control': 'max-age=60' }, n => `a${n}`),
    '/b': page({ 'cache-control': 'max-age=60' }, n => `b${n}`)
  })
  await c.get('/a')
  t.equal((await c.get('/a')).headers['x-cache'], 'HIT')
  const ns = await c.get('/a', { 'cache-control': 'no-store' })
  t.equal(ns.body, 'a2', 'went to the origin although a fresh copy is stored')
  t.equal(ns.headers['cache-status'], 'sipup; fwd=request; detail=request-no-store')
  const after = await c.get('/a')
  t.equal(after.body, 'a1', 'the no-store response did not replace the stored one')
  t.equal(after.headers['x-cache'], 'HIT')

  t.equal((await c.get('/b', { 'Cache-Control': 'max-age=0, NO-STORE' })).body, 'b1')
  const cold = await c.get('/b')
  t.equal(cold.headers['x-cache'], 'MISS', 'nothing was stored for the no-store request')
  t.equal(cold.body, 'b2')
  t.equal(c.hits('/b'), 2)
})

t.test('request no-cache and Pragma: no-cache revalidate the stored response with the origin', async t => {
  const c = await setupCache(t, {
    '/c': (req, res, n) => {
      res.setHeader('cache-control', 'max-age=60')
      res.setHeader('etag', '"v1"')
      if (req.headers['if-none-match'] === '"v1"') { res.statusCode = 304; res.end(); return }
      res.end(`c${n}`)
    }
  })
  await c.get('/c')
  for (const h of [{ 'cache-control': 'no-cache' }, { pragma: 'no-cache' }] as Record<string, string>[]) {
    const before = c.origin.requests.length
    const res = await c.get('/c', h)
    t.equal(c.origin.requests.length, before + 1, `${JSON.stringify(h)} reached the origin`)
    t.equal(c.origin.requests[before].headers['if-none-match'], '"v1"', 'as a conditional request')
    t.equal(res.status, 200)
    t.equal(res.body, 'c1', 'the validated stored body')
    t.equal(res.headers['x-cache'], 'REVALIDATED')
  }
  t.equal((await c.get('/c')).headers['x-cache'], 'HIT')
})
