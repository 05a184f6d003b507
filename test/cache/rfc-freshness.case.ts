// RFC 9111 behaviour end to end: what is stored, Age, Cache-Status, X-Cache, Vary, HEAD, request directives.
import t from '../helpers/cases.js'
import { page, setupCache } from './fixtures/setup.js'

t.test('a fresh response is served from the cache with Age, Cache-Status and X-Cache', async t => {
  const c = await setupCache(t, { '/a': page({ 'cache-control': 'max-age=60', 'content-type': 'text/plain', date: 'Sun, 06 Nov 1994 08:49:37 GMT', age: '5' }, n => `a${n}`) })
  const first = await c.get('/a')
  t.equal(first.headers['x-cache'], 'MISS')
  t.equal(first.headers['cache-status'], 'sipup; fwd=miss; stored')
  const second = await c.get('/a')
  t.equal(second.body, 'a1')
  t.equal(second.headers['x-cache'], 'HIT')
  t.equal(second.headers['cache-status'], 'sipup; hit')
  t.ok(Number(second.headers.age) >= 5, 'Age includes the origin\'s Age')
  t.equal(second.headers.date, 'Sun, 06 Nov 1994 08:49:37 GMT', 'the origin\'s Date is kept')
  t.equal(c.hits('/a'), 1)
})

t.test('no-store, private, Set-Cookie and Vary: * responses go to the origin every time', async t => {
  const c = await setupCache(t, {
    '/nostore': page({ 'cache-control': 'no-store, max-age=60' }),
    '/private': page({ 'cache-control': 'private, max-age=60' }),
    '/cookie': page({ 'cache-control': 'public, max-age=60', 'set-cookie': 'a=1' }),
    '/varystar': page({ 'cache-control': 'max-age=60', vary: '*' })
  })
  for (const p of ['/nostore', '/private', '/cookie', '/varystar']) {
    await c.get(p)
    const again = await c.get(p)
    t.equal(again.headers['x-cache'], 'MISS', p)
    t.match(again.headers['cache-status'], /fwd=miss; detail=/, p)
    t.equal(c.hits(p), 2, p)
  }
})

t.test('s-maxage wins over max-age; Expires counts when nothing else is given', async t => {
  const future = new Date(Date.now() + 600_000).toUTCString()
  const c = await setupCache(t, {
    '/s': page({ 'cache-control': 'max-age=0, s-maxage=60' }),
    '/e': page({ expires: future }),
    '/bad-expires': page({ expires: '0' })
  })
  for (const p of ['/s', '/e']) {
    await c.get(p)
    t.equal((await c.get(p)).headers['x-cache'], 'HIT', p)
  }
  await c.get('/bad-expires')
  t.equal((await c.get('/bad-expires')).headers['x-cache'], 'MISS')
})

t.test('Vary selects a stored variant per request header value', async t => {
  const c = await setupCache(t, {
    '/v': (req, res) => {
      res.setHeader('cache-control', 'max-age=60')
      res.setHeader('vary', 'Accept-Language')
      res.end(`lang=${req.headers['accept-language'] ?? ''}`)
    }
  })
  t.equal((await c.get('/v', { 'accept-language': 'de' })).body, 'lang=de')
  t.equal((await c.get('/v', { 'accept-language': 'fr' })).body, 'lang=fr')
  const de = await c.get('/v', { 'accept-language': 'de' })
  t.equal(de.body, 'lang=de')
  t.equal(de.headers['x-cache'], 'HIT')
  t.equal((await c.get('/v', { 'accept-language': 'fr' })).headers['x-cache'], 'HIT')
  t.equal(c.hits('/v'), 2)
})

t.test('HEAD is answered from a stored GET; a HEAD miss is never stored', async t => {
  const c = await setupCache(t, { '/h': page({ 'cache-control': 'max-age=60', 'content-type': 'text/plain' }, 'hello') })
  const headMiss = await c.get('/h', {}, 'HEAD')
  t.equal(headMiss.headers['x-cache'], undefined)
  await c.get('/h')
  const head = await c.get('/h', {}, 'HEAD')
  t.equal(head.headers['x-cache'], 'HIT')
  t.equal(head.headers['content-length'], '5')
  t.equal(head.body, '')
  t.equal(c.hits('/h'), 2)
})

t.test('request Cache-Control: no-cache and max-age=0 go to the origin; only-if-cached never does', async t => {
  const c = await setupCache(t, { '/r': page({ 'cache-control': 'max-age=60' }, n => `r${n}`) })
  t.equal((await c.get('/r', { 'cache-control': 'only-if-cached' })).status, 504)
  await c.get('/r')
  t.equal((await c.get('/r', { 'cache-control': 'no-cache' })).body, 'r2')
  t.equal((await c.get('/r', { pragma: 'no-cache' })).body, 'r3')
  t.equal((await c.get('/r')).body, 'r3', 'the refreshed response replaced the stored one')
  t.equal((await c.get('/r', { 'cache-control': 'only-if-cached' })).status, 200)
})

t.test('query normalization: order and tracking parameters share one entry', async t => {
  const c = await setupCache(t, { '/q': page({ 'cache-control': 'max-age=60' }, n => `q${n}`) })
  await c.get('/q?b=2&a=1')
  t.equal((await c.get('/q?a=1&b=2&utm_source=news&gclid=x')).headers['x-cache'], 'HIT')
  t.equal((await c.get('/q?a=1&b=3')).headers['x-cache'], 'MISS')
})

t.test('statuses cacheable by default are stored (404), others only with explicit freshness (500)', async t => {
  const c = await setupCache(t, {
    '/missing': (_req, res) => { res.statusCode = 404; res.setHeader('last-modified', 'Sun, 06 Nov 1994 08:49:37 GMT'); res.end('no') },
    '/broken': (_req, res) => { res.statusCode = 500; res.setHeader('last-modified', 'Sun, 06 Nov 1994 08:49:37 GMT'); res.end('err') }
  })
  await c.get('/missing')
  t.equal((await c.get('/missing')).headers['x-cache'], 'HIT', 'heuristic freshness for a 404')
  await c.get('/broken')
  t.equal((await c.get('/broken')).headers['x-cache'], 'MISS', 'no heuristic freshness for a 500')
})
