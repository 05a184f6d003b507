// Issue 12 item 4: spellings of /login.php that the origin runs as login.php (PATH_INFO, Windows case, trailing
// dot or space, `;` parameters, encoded unreserved characters) all count against the shipped login rule.
import t from '../helpers/cases.js'
import { join } from 'node:path'
import { from, setup } from './fixtures.js'
import { loadConfig } from '../../src/sidecar-config.js'
import { packageRoot } from '../../src/paths.js'
import { resolveParams } from '../../src/plugins/rate-limit/options.js'
import { originPath } from '../../src/core/origin-path.js'

const VARIANTS = ['/login.php/x', '/LOGIN.php', '/login.php.', '/login.php%20', '/login.php;', '/login%2Ephp']

t.test('the default login rule (10 per 5 min per IP) limits every variant through a real sidecar', async t => {
  // No `rules` override: the rule is the one config/default.yaml ships.
  const s = await setup(t, { user: { enabled: false }, ip: { limit: 1000, window: '1m' } })
  let n = 0
  for (const variant of VARIANTS) {
    const ip = `203.0.113.${++n}`
    const post = (path: string): Promise<number> =>
      s.send(path, { method: 'POST', headers: from(ip, { 'content-type': 'application/x-www-form-urlencoded' }), body: 'u=a' })
        .then(r => r.status)
    for (let i = 0; i < 10; i++) t.equal(await post('/login.php'), 200)
    const r = await s.send(variant, { method: 'POST', headers: from(ip), body: 'u=a' })
    t.equal(r.status, 429, `${variant} is limited by the login tier`)
    t.match(r.headers['ratelimit-policy'], /"login";q=10;w=300/)
  }
  // A variant spends the same budget: a fresh IP that starts on variants is limited on /login.php.
  const ip = '203.0.113.99'
  for (let i = 0; i < 10; i++) {
    t.equal((await s.send(VARIANTS[i % VARIANTS.length], { method: 'POST', headers: from(ip), body: 'u=a' })).status, 200)
  }
  t.equal((await s.send('/login.php', { method: 'POST', headers: from(ip), body: 'u=a' })).status, 429)
  t.equal((await s.send('/login.phpx', { method: 'POST', headers: from('203.0.113.98'), body: 'u=a' })).status, 200)
})

t.test('the login rules of config/default.yaml and config/demo.yaml cover every variant', async t => {
  for (const file of [undefined, join(packageRoot, 'config', 'demo.yaml')]) {
    const { config } = loadConfig({ env: {}, file })
    const params = resolveParams(config.rateLimit, config.origin)
    const logins = params.rules.filter(r => r.tier.name.startsWith('login'))
    t.ok(logins.length > 0, `${file ?? 'default.yaml'} has a login rule`)
    for (const rule of logins) {
      for (const v of ['/login.php', ...VARIANTS]) t.ok(rule.path.test(originPath(v)), `${file ?? 'default'} ${rule.tier.name} ${v}`)
      t.notOk(rule.path.test(originPath('/login.phpx')))
      t.notOk(rule.path.test(originPath('/blogin.php')))
    }
  }
})

t.test('originPath: the path as the origin reads it', async t => {
  const cases: [string, string][] = [
    ['/login.php?next=/', '/login.php'],
    ['/login.php.', '/login.php'],
    ['/login.php...', '/login.php'],
    ['/login.php%20', '/login.php'],
    ['/login.php%20.%20', '/login.php'],
    ['/login.php;', '/login.php'],
    ['/login.php;jsessionid=1', '/login.php'],
    ['/login%2Ephp', '/login.php'],
    ['/%6cogin.php', '/login.php'],
    ['/a/%2e%2e/login.php', '/login.php'],
    ['/a\\..\\login.php', '/login.php'],
    ['/a/.. /login.php', '/login.php'],
    ['//login.php', '/login.php'],
    ['/x/', '/x/'],
    ['/x/.', '/x/'],
    ['/', '/'],
    ['/%6cogin.php/%E0', '/login.php/%E0'],
    ['/shop.php/a.b', '/shop.php/a.b']
  ]
  for (const [raw, want] of cases) t.equal(originPath(raw), want, raw)
})
