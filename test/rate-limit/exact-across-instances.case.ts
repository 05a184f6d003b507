// Two sidecar instances sharing Redis, hit in parallel with 3 × the limit: exactly `limit` requests pass.
import t from '../helpers/cases.js'
import { request, Agent } from 'undici'
import { requireRedis, uniquePrefix } from '../helpers/services.js'
import { from, setup, startOriginFor } from './fixtures.js'

const LIMIT = 50

t.test('exactly the limit is admitted across two instances', async t => {
  if (!await requireRedis(t)) return
  const origin = await startOriginFor(t)
  const prefix = uniquePrefix('rl-exact')
  // Three tiers at once, all keyed on this client: the tightest (the rule) decides, atomically with the others.
  const rl = {
    ip: { limit: LIMIT * 10, window: '1m' },
    user: { limit: LIMIT * 5, window: '1h' },
    // A long window: GCRA frees one unit every window / limit (here 29 min), so a burst slowed down by a loaded
    // machine can't legitimately earn a 51st unit while it runs (with 10m it did after 12 s).
    rules: [{ name: 'api', path: '/api/**', limit: LIMIT, window: '1d' }]
  }
  const a = await setup(t, rl, { redis: true, origin, prefix })
  const b = await setup(t, rl, { redis: true, origin, prefix })
  const agent = new Agent({ connections: 32 })
  t.after(() => agent.close())
  const hit = async (base: string, i: number): Promise<number> => {
    const res = await request(`${base}/api/items/${i}`, { dispatcher: agent, headers: from('192.0.2.99') })
    await res.body.dump()
    return res.statusCode
  }
  const statuses = await Promise.all(Array.from({ length: LIMIT * 3 }, (_, i) => hit(i % 2 === 0 ? a.sidecar.url : b.sidecar.url, i)))
  const ok = statuses.filter(s => s === 200).length
  const limited = statuses.filter(s => s === 429).length
  t.equal(ok, LIMIT, 'allowed: exactly the limit')
  t.equal(limited, LIMIT * 2, 'the rest: 429')
  t.equal(origin.requests.length, LIMIT, 'the origin saw exactly the limit')
  // Exactness is only claimed while Redis answers: a store error would mean the limiter fell back to memory.
  for (const s of [a, b]) {
    t.match(await s.sidecar.app.sidecar.metrics.getSingleMetricAsString('sipup_rate_limit_store_errors_total'),
      /\nsipup_rate_limit_store_errors_total 0\b/, 'no store error: Redis answered every call in time')
  }
})
