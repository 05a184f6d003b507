// Each rule option end to end against PHP-style pages.
import t from '../helpers/cases.js'
import { setupCache } from './fixtures/setup.js'
import { phpPage } from './fixtures/php.js'

t.test('ttl + override caches PHP no-store pages; without override the origin headers win', async t => {
  const c = await setupCache(t, { '/o.php': phpPage(), '/n.php': phpPage() }, {
    rules: [{ path: '/o.php', ttl: '30m', override: true }, { path: '/n.php', ttl: '30m' }]
  })
  await c.get('/o.php', { cookie: 'PHPSESSID=s' })
  const hit = await c.get('/o.php', { cookie: 'PHPSESSID=s' })
  t.equal(hit.headers['x-cache'], 'HIT')
  t.equal(hit.headers['cache-control'], 'no-store, no-cache, must-revalidate', 'browsers still get PHP\'s headers')
  await c.get('/n.php', { cookie: 'PHPSESSID=s' })
  t.equal((await c.get('/n.php', { cookie: 'PHPSESSID=s' })).headers['x-cache'], 'MISS')
})

t.test('anonymousOnly: Authorization or the session cookie skip the rule', async t => {
  const c = await setupCache(t, { '/a.php': phpPage() }, {
    rules: [{ name: 'anon', path: '/a.php', ttl: '5m', override: true, anonymousOnly: true, stripSetCookie: true }]
  })
  await c.get('/a.php')
  t.equal((await c.get('/a.php')).headers['x-cache'], 'HIT')
  t.not((await c.get('/a.php', { cookie: 'PHPSESSID=x' })).headers['x-cache'], 'HIT')
  t.not((await c.get('/a.php', { authorization: 'Basic eDp5' })).headers['x-cache'], 'HIT')
})

t.test('vary.cookies and vary.headers split the entry', async t => {
  const c = await setupCache(t, { '/v.php': phpPage((_u, n, req) => `${String(req.headers.cookie)} ${String(req.headers['x-device'])} ${n}`) }, {
    rules: [{ path: '/v.php', ttl: '5m', override: true, anonymousOnly: true, stripSetCookie: true, vary: { cookies: ['currency'], headers: ['X-Device'] } }]
  })
  const eur = await c.get('/v.php', { cookie: 'currency=EUR', 'x-device': 'mobile' })
  t.equal((await c.get('/v.php', { cookie: 'currency=EUR; other=1', 'x-device': 'mobile' })).body, eur.body)
  t.not((await c.get('/v.php', { cookie: 'currency=USD', 'x-device': 'mobile' })).body, eur.body)
  t.not((await c.get('/v.php', { cookie: 'currency=EUR', 'x-device': 'desktop' })).body, eur.body)
})

t.test('scope per-user keys on the session; bypass never caches; rule names reach metrics', async t => {
  const c = await setupCache(t, { '/u.php': phpPage(), '/b.php': phpPage() }, {
    rules: [{ name: 'user-data', path: '/u.php', ttl: '10m', override: true, scope: 'per-user' }, { name: 'never', path: '/b.php', bypass: true }]
  })
  await c.get('/u.php', { cookie: 'PHPSESSID=one' })
  t.equal((await c.get('/u.php', { cookie: 'PHPSESSID=one' })).body, 'page for one #1')
  t.equal((await c.get('/u.php', { cookie: 'PHPSESSID=two' })).body, 'page for two #2')
  const b = await c.get('/b.php')
  t.equal(b.headers['x-cache'], 'BYPASS')
  t.equal(b.headers['cache-status'], 'sipup; fwd=bypass; detail=rule')
  const metrics = await c.sidecar.app.sidecar.metrics.getSingleMetricAsString('sipup_cache_lookups_total')
  t.match(metrics, /sipup_cache_lookups_total\{outcome="HIT",rule="user-data"\} 1/)
  t.match(metrics, /sipup_cache_lookups_total\{outcome="BYPASS",rule="never"\} 1/)
})

t.test('methods, host and query narrow a rule', async t => {
  const c = await setupCache(t, { '/m.php': phpPage() }, {
    rules: [{ path: '/m.php', ttl: '5m', override: true, anonymousOnly: true, stripSetCookie: true, host: 'shop.*', query: { page: '*' } }]
  })
  await c.get('/m.php?page=1', { host: 'shop.test' })
  t.equal((await c.get('/m.php?page=1', { host: 'shop.test' })).headers['x-cache'], 'HIT')
  await c.get('/m.php?page=1', { host: 'other.test' })
  t.equal((await c.get('/m.php?page=1', { host: 'other.test' })).headers['x-cache'], 'MISS')
  await c.get('/m.php', { host: 'shop.test' })
  t.equal((await c.get('/m.php', { host: 'shop.test' })).headers['x-cache'], 'MISS')
})

t.test('stripSetCookie without anonymousOnly stops start-up with a clear error', async t => {
  await t.rejects(setupCache(t, {}, { rules: [{ path: '/x', ttl: '1m', override: true, stripSetCookie: true }] }),
    { code: 'SIPUP_ERR_CACHE_RULE_INVALID', message: /cache\.rules\[0\]\.stripSetCookie: expected anonymousOnly: true/ })
})
