// A Redis that stops answering (SIGSTOP: the socket stays open, commands hang) costs at most one
// redis.commandTimeout, to the requests in flight when it hangs; fail closed answers 503 while Redis is away.
import t from '../helpers/cases.js'
import { requireProgram, uniquePrefix } from '../helpers/services.js'
import { startSidecar } from '../helpers/sidecar.js'
import { IP_ONLY, from, send, startOriginFor } from './fixtures.js'
import { REDIS_SERVER, freePort, startRedis, stop } from './redis-server.js'

for (const commandTimeout of ['100ms', 0]) {
  t.test(`a hung Redis (redis.commandTimeout ${commandTimeout}): bounded, then decided locally`, async t => {
    if (!await requireProgram(t, REDIS_SERVER, 'redis-server')) return
    const port = await freePort()
    const redis = await startRedis(port)
    t.after(async () => {
      redis.kill('SIGCONT')
      await stop(redis)
    })
    const origin = await startOriginFor(t)
    const sidecar = await startSidecar({
      upstream: { url: origin.url },
      redis: { enabled: true, url: `redis://127.0.0.1:${port}`, keyPrefix: uniquePrefix('rl-hung'), commandTimeout },
      rateLimit: { enabled: true, ...IP_ONLY, ip: { limit: 1000, window: '1m' } }
    })
    t.after(() => sidecar.close())
    t.equal((await send(sidecar.url, '/p', { headers: from('192.0.2.1') })).status, 200)
    redis.kill('SIGSTOP')
    const started = performance.now()
    const statuses: number[] = []
    for (let i = 0; i < 30; i++) statuses.push((await send(sidecar.url, '/p', { headers: from('192.0.2.1') })).status)
    const elapsed = performance.now() - started
    t.same(statuses.filter(s => s !== 200), [], 'all answered')
    // The first waits one commandTimeout; the others go to the fallback while one probe a second tries Redis.
    t.ok(elapsed < 3000, `30 requests against a hung Redis took ${Math.round(elapsed)} ms`)
    t.equal(sidecar.app.sidecar.features.find(f => f.name === 'rateLimit')?.state, 'degraded')
    // Thaw it before the teardown: closing the sidecar sends QUIT, which a frozen Redis would never answer.
    redis.kill('SIGCONT')
  })
}

t.test('fail closed: 503 while Redis is unreachable, and not ready', async t => {
  const port = await freePort()
  const origin = await startOriginFor(t)
  const sidecar = await startSidecar({
    upstream: { url: origin.url },
    redis: { enabled: true, url: `redis://127.0.0.1:${port}`, keyPrefix: uniquePrefix('rl-closed'), connectTimeout: '200ms' },
    rateLimit: { enabled: true, ...IP_ONLY, failClosed: true }
  })
  t.after(() => sidecar.close())
  const r = await send(sidecar.url, '/p', { headers: { accept: 'application/json' } })
  t.equal(r.status, 503)
  t.equal(JSON.parse(r.body).code, 'SIPUP_ERR_RATELIMIT_UNAVAILABLE')
  t.equal(origin.requests.length, 0)
  const health = await sidecar.app.sidecar.runHealthChecks()
  t.equal(health.rateLimit.ok, false)
  t.match(health.rateLimit.reason, /fails closed/)
})
