// The cache must never show one user's page to another, store Set-Cookie, or let a header poison an entry.
import t from '../helpers/cases.js'
import { page, setupCache } from './fixtures/setup.js'
import { phpPage } from './fixtures/php.js'

const rules = [
  { name: 'products', path: '/product.php*', ttl: '30m', override: true, anonymousOnly: true, stripSetCookie: true },
  { name: 'dashboard', path: '/dashboard.php', ttl: '2m', override: true, scope: 'per-user' }
]

t.test('a page fetched with user A\'s session is never served to user B or to an anonymous client', async t => {
  const c = await setupCache(t, { '/dashboard.php': phpPage(), '/product.php': phpPage() }, { rules })
  const a1 = await c.get('/dashboard.php', { cookie: 'PHPSESSID=alice' })
  t.equal(a1.body, 'page for alice #1')
  const a2 = await c.get('/dashboard.php', { cookie: 'PHPSESSID=alice' })
  t.equal(a2.body, 'page for alice #1')
  t.equal(a2.headers['x-cache'], 'HIT')
  t.equal((await c.get('/dashboard.php', { cookie: 'PHPSESSID=bob' })).body, 'page for bob #2')
  const anon = await c.get('/dashboard.php')
  t.equal(anon.headers['x-cache'], 'BYPASS')
  t.match(anon.body, /anonymous/)
  // A logged-in user's product page never lands in the shared entry either.
  t.equal((await c.get('/product.php?id=1', { cookie: 'PHPSESSID=alice' })).body, 'page for alice #1')
  const anonProduct = await c.get('/product.php?id=1')
  t.equal(anonProduct.body, 'page for anonymous #2')
  t.equal((await c.get('/product.php?id=1')).body, 'page for anonymous #2')
})

t.test('a response with Set-Cookie is never stored unless a rule strips it', async t => {
  const c = await setupCache(t, {
    '/plain': page({ 'cache-control': 'public, max-age=600', 'set-cookie': 'PHPSESSID=x1' }),
    '/product.php': phpPage()
  }, { rules })
  await c.get('/plain')
  const again = await c.get('/plain')
  t.equal(again.headers['x-cache'], 'MISS')
  t.equal(c.hits('/plain'), 2)
  const first = await c.get('/product.php?id=2')
  t.equal(first.headers['set-cookie'], undefined, 'stripped on the miss too')
  const hit = await c.get('/product.php?id=2')
  t.equal(hit.headers['x-cache'], 'HIT')
  t.equal(hit.headers['set-cookie'], undefined)
})

t.test('X-Forwarded-Host: evil.example from an untrusted client can\'t change what the next client gets', async t => {
  const c = await setupCache(t, {
    '/links': (req, res) => {
      res.setHeader('cache-control', 'max-age=600')
      const host = req.headers['x-forwarded-host'] ?? req.headers.host
      res.end(`<a href="http://${String(host)}/next">next</a>`)
    }
  }, {}, { server: { host: '127.0.0.1', port: 0, trustProxy: ['192.0.2.1'] } })
  const poisoned = await c.get('/links', { 'x-forwarded-host': 'evil.example', 'x-original-url': '/admin', forwarded: 'host=evil.example' })
  t.notMatch(poisoned.body, /evil/)
  const next = await c.get('/links')
  t.notMatch(next.body, /evil/)
  t.equal(c.origin.requests[0].headers['x-original-url'], undefined)
})

t.test('Authorization requests are not served a shared entry unless the response allows it', async t => {
  const c = await setupCache(t, {
    '/shared': page({ 'cache-control': 'max-age=600' }, n => `shared${n}`),
    '/public': page({ 'cache-control': 'public, max-age=600' }, n => `public${n}`)
  })
  await c.get('/shared')
  const auth = await c.get('/shared', { authorization: 'Bearer x' })
  t.equal(auth.body, 'shared2')
  t.equal(auth.headers['x-cache'], 'MISS')
  t.equal((await c.get('/shared', { authorization: 'Bearer x' })).headers['x-cache'], 'MISS', 'its response is not stored')
  await c.get('/public')
  t.equal((await c.get('/public', { authorization: 'Bearer x' })).headers['x-cache'], 'HIT')
})

t.test('a session cookie with another name prefix does not count as a session', async t => {
  const c = await setupCache(t, { '/product.php': phpPage() }, { rules })
  await c.get('/product.php?id=3', { cookie: 'XPHPSESSID=1' })
  t.equal((await c.get('/product.php?id=3', { cookie: 'XPHPSESSID=1' })).headers['x-cache'], 'HIT')
})
