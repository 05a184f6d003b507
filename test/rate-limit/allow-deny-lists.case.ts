import t from '../helpers/cases.js'
import { IP_ONLY, from, setup } from './fixtures.js'

t.test('allowlisted CIDRs are never limited; denylisted ones always get 403', async t => {
  const s = await setup(t, { ...IP_ONLY, ip: { limit: 1, window: '1m' }, allowlist: ['192.0.2.0/24', '2001:db8::/32'], denylist: ['198.51.100.7', '203.0.113.0/28'] })
  for (let i = 0; i < 3; i++) {
    const r = await s.send('/p', { headers: from('192.0.2.77') })
    t.equal(r.status, 200, `allowlisted request ${i + 1}`)
    t.notOk('ratelimit' in r.headers, 'no headers: no limit applies')
  }
  t.equal((await s.send('/p', { headers: from('2001:db8::5') })).status, 200)
  t.equal((await s.send('/p', { headers: from('2001:db8::5') })).status, 200, 'IPv6 allowlist')
  const denied = await s.send('/p', { headers: from('203.0.113.9', { accept: 'application/json' }) })
  t.equal(denied.status, 403)
  t.equal(JSON.parse(denied.body).code, 'SIPUP_ERR_RATELIMIT_DENIED')
  t.equal((await s.send('/p', { headers: from('198.51.100.7') })).status, 403)
  t.equal((await s.send('/p', { headers: from('203.0.113.16') })).status, 200, 'just outside the /28')
  t.equal(s.forwarded(), 6, 'denied requests never reached the origin')
})

t.test('bad lists, rules, windows and keys stop start-up with a message naming the key', async t => {
  const { resolveParams } = await import('../../src/plugins/rate-limit/options.js')
  const { loadConfig } = await import('../../src/sidecar-config.js')
  const cfg = (rateLimit: Record<string, unknown>) => loadConfig({ env: {}, overrides: { rateLimit } }).config.rateLimit
  // Address lists are checked when the config loads, like every other address list (test/config/address-lists.case.ts).
  t.throws(() => cfg({ allowlist: ['10.0.0.0/33'] }), { code: 'SIPUP_ERR_CONFIG_INVALID', message: /rateLimit\.allowlist\[0\].*10\.0\.0\.0\/33/ })
  t.throws(() => cfg({ denylist: ['example.com'] }), { message: /rateLimit\.denylist\[0\]/ })
  t.throws(() => resolveParams(cfg({ rules: [{ name: 'a', path: '/x', key: 'field' }] })), { message: /rules\[0\]\.field/ })
  t.throws(() => resolveParams(cfg({ rules: [{ name: 'a', path: '/x' }, { name: 'a', path: '/y' }] })), { message: /rules\[1\]\.name/ })
  t.throws(() => resolveParams(cfg({ rules: [{ name: 'ip', path: '/x' }] })), { message: /rules\[0\]\.name/ })
  t.throws(() => resolveParams(cfg({ ip: { window: '500ms' } })), { message: /ip\.window: expected a duration between 1s and 7d, got '500ms'/ })
  t.throws(() => resolveParams(cfg({ identity: { jwt: { enabled: true, secret: 'short' } } })), { message: /identity\.jwt\.secret: expected at least 32 bytes/ })
  t.throws(() => resolveParams(cfg({ identity: { jwt: { enabled: true, algorithms: ['RS256'], publicKey: 'nope' } } })), { message: /identity\.jwt\.publicKey/ })
  t.throws(() => loadConfig({ env: {}, overrides: { rateLimit: { ip: { limit: 0 } } } }), { message: /rateLimit\.ip\.limit: expected integer between 1 and 100000000, got 0/ })
  t.throws(() => resolveParams(cfg({ bans: { enabled: true, duration: '10ms' } })), { message: /bans\.duration: expected a duration of at least 1s, got '10ms'/ })
})
