// RFC 9111 §4.4: a successful unsafe request invalidates its target URI and same-host Location/Content-Location.
import t from '../helpers/cases.js'
import { setupCache } from './fixtures/setup.js'

t.test('POST invalidates the URL, Location and Content-Location; a failed POST does not', async t => {
  let posts = 0
  const c = await setupCache(t, {
    '/item': (req, res, n) => {
      if (req.method === 'POST') {
        res.statusCode = ++posts > 1 ? 500 : 303
        res.setHeader('location', '/list?page=1')
        res.setHeader('content-location', 'http://elsewhere.example/other')
        res.end()
        return
      }
      res.setHeader('cache-control', 'max-age=600')
      res.end(`item${n}`)
    },
    '/list': (_req, res, n) => { res.setHeader('cache-control', 'max-age=600'); res.end(`list${n}`) },
    '/other': (_req, res, n) => { res.setHeader('cache-control', 'max-age=600'); res.end(`other${n}`) }
  })
  await c.get('/item?id=1')
  await c.get('/list?page=1')
  await c.get('/other')
  t.equal((await c.get('/item?id=1')).headers['x-cache'], 'HIT')
  await c.get('/item?id=1', {}, 'POST')
  // Invalidation runs as the response starts; give the purge its turn.
  await new Promise(resolve => setImmediate(resolve))
  t.equal((await c.get('/item?id=1')).headers['x-cache'], 'MISS')
  t.equal((await c.get('/list?page=1')).headers['x-cache'], 'MISS', 'Location on the same host is invalidated')
  t.equal((await c.get('/other')).headers['x-cache'], 'HIT', 'another host\'s Content-Location is left alone')
  await c.get('/item?id=1', {}, 'POST')
  await new Promise(resolve => setImmediate(resolve))
  t.equal((await c.get('/item?id=1')).headers['x-cache'], 'HIT', 'a 500 invalidates nothing')
})
