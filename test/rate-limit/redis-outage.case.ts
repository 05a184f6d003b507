// Redis dies mid-test: requests keep flowing (decided by the per-instance fallback, none waits on Redis), the
// outage is logged once and shows in health and metrics, and shared limits resume when Redis is back.
import t from '../helpers/cases.js'
import { requireProgram, uniquePrefix } from '../helpers/services.js'
import { startSidecar } from '../helpers/sidecar.js'
import { IP_ONLY, from, send, startOriginFor } from './fixtures.js'
import { REDIS_SERVER, freePort, startRedis, stop } from './redis-server.js'

t.test('Redis outage: fail open with per-instance limits, then shared limits again', async t => {
  if (!await requireProgram(t, REDIS_SERVER, 'redis-server')) return
  const port = await freePort()
  let redis = await startRedis(port)
  t.after(() => stop(redis))
  const origin = await startOriginFor(t)
  const logLines: Record<string, unknown>[] = []
  const sidecar = await startSidecar({
    upstream: { url: origin.url },
    redis: { enabled: true, url: `redis://127.0.0.1:${port}`, keyPrefix: uniquePrefix('rl-outage') },
    rateLimit: { enabled: true, ...IP_ONLY, ip: { limit: 3, window: '1m' } },
    log: { level: 'info' }
  }, { logLines })
  t.after(() => sidecar.close())
  const core = sidecar.app.sidecar
  const status = async (ip: string): Promise<number> => (await send(sidecar.url, '/p', { headers: from(ip) })).status

  t.same([await status('192.0.2.1'), await status('192.0.2.1'), await status('192.0.2.1'), await status('192.0.2.1')], [200, 200, 200, 429], 'shared limit while Redis is up')
  t.equal(core.features.find(f => f.name === 'rateLimit')?.state, 'on')

  await stop(redis)
  // Every request is answered, none waits on Redis: 40 requests from 20 clients in well under the bound
  // (generous on purpose: the point is that nothing hangs for a timeout per request).
  const started = performance.now()
  const statuses: number[] = []
  for (let i = 0; i < 40; i++) statuses.push(await status(`192.0.2.${100 + (i % 20)}`))
  const elapsed = performance.now() - started
  t.same(statuses.filter(s => s !== 200), [], 'fail open: the fallback admits new clients')
  t.ok(elapsed < 5000, `40 requests during the outage took ${Math.round(elapsed)} ms`)
  t.same([await status('192.0.2.7'), await status('192.0.2.7'), await status('192.0.2.7'), await status('192.0.2.7')], [200, 200, 200, 429], 'the fallback still limits, per instance')

  const outageLines = logLines.filter(l => typeof l.msg === 'string' && l.msg.startsWith('rate-limit: Redis unavailable'))
  t.equal(outageLines.length, 1, 'one log line for the outage, not one per request')
  t.equal(core.features.find(f => f.name === 'rateLimit')?.state, 'degraded')
  const health = await core.runHealthChecks()
  t.equal(health.rateLimit.ok, true, 'fail open: still ready')
  t.match(health.rateLimit.reason, /degraded/)
  t.match(await core.metrics.getSingleMetricAsString('sipup_rate_limit_degraded'), /sipup_rate_limit_degraded 1/)

  // Redis comes back (empty: no persistence) on the same port.
  const client = core.redis.client
  if (client === null) throw new Error('no redis client')
  // events.once would reject on the reconnect attempts' 'error' events; only 'ready' matters here.
  const ready = new Promise(resolve => client.once('ready', resolve))
  redis = await startRedis(port)
  await ready
  t.same([await status('192.0.2.8'), await status('192.0.2.8'), await status('192.0.2.8'), await status('192.0.2.8')], [200, 200, 200, 429], 'shared limit again')
  t.equal(core.features.find(f => f.name === 'rateLimit')?.state, 'on')
  t.match(await core.metrics.getSingleMetricAsString('sipup_rate_limit_degraded'), /sipup_rate_limit_degraded 0/)
  t.ok(logLines.some(l => l.msg === 'rate-limit: Redis is back; limits are shared again'))
})
