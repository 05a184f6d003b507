// Redis down: the endpoint answers 503 with Retry-After at once and stores nothing; when Redis is back, the client's
// retry with the same Idempotency-Key stores exactly one job. Uses a redis-server the test starts and kills itself.
import t from '../helpers/cases.js'
import { request } from 'undici'
import { requireProgram, requireRedis, uniquePrefix } from '../helpers/services.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { freePort, REDIS_SERVER, startRedis, stop } from '../rate-limit/redis-server.js'
import '../../src/plugins/jobs/types.js'

const SECRET = 'redis-down-secret-0123456789'
const jobs = { enabled: true, secret: SECRET, types: [{ name: 'process_order', handler: 'http', url: '/cb' }] }

async function post (url: string, key: string): Promise<{ status: number, headers: Record<string, unknown>, body: Record<string, unknown>, ms: number }> {
  const start = Date.now()
  const res = await request(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ order: 42 })
  })
  return { status: res.statusCode, headers: res.headers, body: await res.body.json() as Record<string, unknown>, ms: Date.now() - start }
}

t.test('Redis unreachable from the start: 503 + Retry-After, problem details, fast', async t => {
  if (!await requireRedis(t)) return
  const origin = await startOrigin((_req, res) => { res.end('origin') })
  t.after(() => origin.close())
  const dead = await freePort()
  const sc = await startSidecar({ upstream: { url: origin.url }, redis: { enabled: true, url: `redis://127.0.0.1:${dead}`, connectTimeout: '200ms' }, jobs })
  t.after(() => sc.close())
  const r = await post(`${sc.url}/_jobs/process_order`, 'k1')
  t.equal(r.status, 503)
  t.equal(r.headers['retry-after'], '5')
  t.match(r.body, { status: 503, code: 'SIPUP_ERR_JOBS_UNAVAILABLE', detail: /nothing was stored/ })
  t.ok(r.ms < 1000, `answered in ${r.ms} ms, not after a timeout`)
  t.equal(origin.requests.length, 0, 'not forwarded to the origin either')
  const health = await sc.app.sidecarJobs.health()
  t.match(health, { ok: false, reason: /job store unreachable/ })
})

t.test('Redis dies and comes back: 503 meanwhile, then the retried request stores one job', async t => {
  if (!await requireProgram(t, REDIS_SERVER, 'redis-server')) return
  const port = await freePort()
  let redis = await startRedis(port)
  t.after(() => stop(redis))
  const origin = await startOrigin((_req, res) => { res.end('origin') })
  t.after(() => origin.close())
  const sc = await startSidecar({ upstream: { url: origin.url }, redis: { enabled: true, url: `redis://127.0.0.1:${port}`, keyPrefix: uniquePrefix('jobs-redis-down') }, jobs })
  t.after(() => sc.close())
  const url = `${sc.url}/_jobs/process_order`
  t.equal((await post(url, 'before')).status, 202, 'works while Redis is up')

  await stop(redis)
  const down = await post(url, 'order-42')
  t.equal(down.status, 503, 'Redis gone: 503')
  t.ok(down.ms < 1000, `at once (${down.ms} ms)`)

  redis = await startRedis(port)
  const store = sc.app.sidecarJobs.store
  const end = Date.now() + 10_000
  while (store.client.status !== 'ready') {
    if (Date.now() > end) throw new Error('ioredis did not reconnect')
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  const keysBefore = await store.client.dbsize()
  t.equal(keysBefore, 0, 'the fresh server holds nothing: the failed request left no half job behind')
  const first = await post(url, 'order-42')
  const again = await post(url, 'order-42')
  t.equal(first.status, 202)
  t.equal(again.body.id, first.body.id, 'the same key returns the same job')
  const stats = await store.queueStats(Date.now())
  t.equal(stats.reduce((n, q) => n + q.waiting, 0), 1, 'exactly one job stored')
})
