// RFC 9110 §7.6.1: headers named in the origin's Connection header are hop-by-hop. They are stripped on the miss
// (the proxy does it) and must not be stored either, so hits and revalidated answers never carry them.
import t from '../helpers/cases.js'
import { setupCache } from './fixtures/setup.js'

t.test('headers listed in Connection are not stored, so hits and revalidations never send them', async t => {
  const c = await setupCache(t, {
    '/c': (req, res, n) => {
      res.setHeader('cache-control', 'max-age=1')
      res.setHeader('etag', '"e"')
      res.setHeader('age', n === 1 ? '2' : '0')
      if (req.headers['if-none-match'] === '"e"') {
        res.setHeader('connection', 'keep-alive, X-Hop-304')
        res.setHeader('x-hop-304', 'secret-304')
        res.statusCode = 304
        res.end()
        return
      }
      res.setHeader('connection', 'keep-alive, X-Hop, X-Other')
      res.setHeader('x-hop', 'secret')
      res.setHeader('x-other', 'also')
      res.setHeader('x-kept', 'kept')
      res.end(`c${n}`)
    }
  })
  const miss = await c.get('/c')
  t.equal(miss.headers['x-hop'], undefined, 'the miss goes without it')
  t.equal(miss.headers['x-kept'], 'kept')
  // Stored with Age 2 > max-age: the next request revalidates and gets the 304 merged into the stored headers.
  const reval = await c.get('/c')
  t.equal(reval.headers['x-cache'], 'REVALIDATED')
  t.equal(reval.body, 'c1')
  for (const h of ['x-hop', 'x-other', 'x-hop-304']) t.equal(reval.headers[h], undefined, `${h} not sent on the revalidated answer`)
  const hit = await c.get('/c')
  t.equal(hit.headers['x-cache'], 'HIT')
  t.equal(hit.headers['x-kept'], 'kept')
  for (const h of ['x-hop', 'x-other', 'x-hop-304']) t.equal(hit.headers[h], undefined, `${h} not sent on the hit`)
})
