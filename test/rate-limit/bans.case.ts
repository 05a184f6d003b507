// Ban escalation shared through Redis: strikes counted on any instance add up, and the ban holds on all of them.
import t from '../helpers/cases.js'
import { requireRedis, uniquePrefix } from '../helpers/services.js'
import { IP_ONLY, from, setup, startOriginFor } from './fixtures.js'

t.test('3 × 429 within the period → 403 on every instance; other clients unaffected', async t => {
  if (!await requireRedis(t)) return
  const origin = await startOriginFor(t)
  const prefix = uniquePrefix('rl-bans')
  const rl = { ...IP_ONLY, ip: { limit: 1, window: '1m' }, bans: { enabled: true, strikes: 3, within: '10m', duration: '1h' } }
  const a = await setup(t, rl, { redis: true, origin, prefix })
  const b = await setup(t, rl, { redis: true, origin, prefix })
  const ip = from('192.0.2.50', { accept: 'application/json' })
  t.equal((await a.send('/p', { headers: ip })).status, 200)
  t.equal((await a.send('/p', { headers: ip })).status, 429, 'strike 1 (decided locally on A)')
  t.equal((await b.send('/p', { headers: ip })).status, 429, 'strike 2 (decided by Redis for B)')
  t.equal((await b.send('/p', { headers: ip })).status, 429, 'strike 3 starts the ban; this answer is still a 429')
  const banned = await a.send('/p', { headers: ip })
  t.equal(banned.status, 403, 'banned on A, where only one strike happened')
  t.equal(JSON.parse(banned.body).code, 'SIPUP_ERR_RATELIMIT_BANNED')
  t.ok(Number(banned.headers['retry-after']) > 3500, 'Retry-After is the rest of the ban (~1 h)')
  t.equal((await b.send('/p', { headers: ip })).status, 403, 'banned on B')
  t.equal((await b.send('/p', { headers: from('192.0.2.51') })).status, 200, 'another client')
  const metrics = await a.sidecar.app.sidecar.metrics.getSingleMetricAsString('sipup_rate_limit_decisions_total')
  t.match(metrics, /tier="ban",outcome="banned"} 1/)
  t.match(metrics, /tier="ip",outcome="limited"} 1/)
})

t.test('dry-run rejections are not strikes', async t => {
  const s = await setup(t, { ...IP_ONLY, ip: { limit: 1, window: '1m', dryRun: true }, bans: { enabled: true, strikes: 1 } })
  for (let i = 0; i < 5; i++) t.equal((await s.send('/p', { headers: from('192.0.2.60') })).status, 200)
})
