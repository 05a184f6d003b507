// Batch enqueue (POST <prefix>/<type>/batch) through a real sidecar on the real Redis: accepted and processed in
// order, the same auth as one job (HMAC over the whole body, replay refused), per-item schema errors naming the
// item and field with nothing stored, per-item idempotency keys, the item limit (413), Redis down (503, nothing stored).
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import { request } from 'undici'
import { sign } from '../../src/plugins/jobs/signature.js'
import type { Handler } from '../../src/plugins/jobs/types.js'
import '../../src/plugins/jobs/types.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { startOrigin, startSidecar, type Sidecar } from '../helpers/sidecar.js'
import { freePort } from '../rate-limit/redis-server.js'
import { deleteKeys, finished, makeService, waitForJob } from './helpers.js'

const prefix = uniquePrefix('jobs-batch')
const SECRET = 'batch-secret-0123456789abcdef'
t.after(() => deleteKeys(prefix))

const jobs = {
  enabled: true,
  secret: SECRET,
  maxPayload: '1KB',
  batch: { maxItems: 5, maxBody: '4KB' },
  types: [
    {
      name: 'send_email',
      handler: 'http',
      url: 'http://127.0.0.1:9/cb',
      schema: { type: 'object', required: ['to'], properties: { to: { type: 'string', format: 'email' } } }
    }
  ]
}

interface Answer { status: number, headers: Record<string, string | string[] | undefined>, body: Record<string, unknown> }

async function post (url: string, body: string, headers: Record<string, string> = bearer()): Promise<Answer> {
  const res = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, body: text === '' ? {} : JSON.parse(text) as Record<string, unknown> }
}

const bearer = (): Record<string, string> => ({ authorization: `Bearer ${SECRET}` })
function signed (body: string): Record<string, string> {
  const ts = String(Math.floor(Date.now() / 1000))
  return { 'x-sidecar-timestamp': ts, 'x-sidecar-signature': sign(SECRET, ts, body) }
}

async function sidecar (t: Test, redisUrl = REDIS_URL): Promise<Sidecar> {
  const origin = await startOrigin((_req, res) => { res.end('origin') })
  t.after(() => origin.close())
  const sc = await startSidecar({ upstream: { url: origin.url }, redis: { enabled: true, url: redisUrl, keyPrefix: prefix, connectTimeout: '200ms' }, jobs })
  t.after(() => sc.close())
  return sc
}

type Job = { id: string, status: string, duplicate: boolean }
const jobsOf = (a: Answer): Job[] => a.body.jobs as Job[]

t.test('batch enqueue', async t => {
  if (!await requireRedis(t)) return
  const sc = await sidecar(t)
  const url = `${sc.url}/_jobs/send_email/batch`
  const store = sc.app.sidecarJobs.store
  const waiting = async (): Promise<number> => (await store.queueStats(Date.now())).reduce((n, q) => n + q.waiting + q.delayed, 0)

  t.test('accepted (202, ids in order, per-item options) and processed by a worker', async t => {
    const before = await waiting()
    const body = JSON.stringify([
      { payload: { to: 'a@example.test' } },
      { payload: { to: 'b@example.test' }, priority: 'high' },
      { payload: { to: 'c@example.test' }, delay: 3600 }
    ])
    const h = signed(body)
    const r = await post(url, body, h)
    t.equal(r.status, 202)
    t.equal(r.headers['cache-control'], 'no-store')
    const got = jobsOf(r)
    t.match(got, [{ id: /^n\d+$/, status: 'waiting', duplicate: false }, { id: /^h\d+$/, status: 'waiting' }, { id: /^n\d+$/, status: 'delayed' }])
    t.equal(await waiting(), before + 3, 'three jobs stored')
    const replay = await post(url, body, h)
    t.equal(replay.status, 401, 'the same signed batch sent again is a replay')
    t.equal(await waiting(), before + 3, 'the replay stored nothing')

    const seen: unknown[] = []
    const handler: Handler = { run: async payload => { seen.push(payload); return { ok: true } } }
    const worker = await makeService(t, prefix, jobs)
    await worker.startWorkers({ handlers: new Map([['send_email', handler]]), schedules: false })
    for (const j of got.slice(0, 2)) t.match(await waitForJob(worker, j.id, finished), { status: 'succeeded', type: 'send_email' })
    t.same(seen.map(p => (p as { to: string }).to).sort(), ['a@example.test', 'b@example.test'], 'the payloads reached the handler as sent')
    await sc.app.sidecarJobs.store.cancel(got[2].id)
  })

  t.test('a schema error in one item: 400 naming item and field, nothing stored', async t => {
    const before = await waiting()
    const body = JSON.stringify([
      { payload: { to: 'ok@example.test' } },
      { payload: { to: 'not-an-email' } },
      { payload: {} },
      { payload: { to: 'x@example.test' }, priority: 'urgent', color: 'red' }
    ])
    const r = await post(url, body)
    t.equal(r.status, 400)
    t.match(r.body, { code: 'SIPUP_ERR_JOBS_INVALID_PAYLOAD', detail: /item 3: color is not allowed/ })
    const errors = r.body.errors as { item: number, field: string }[]
    t.match(errors, [{ item: 3, field: 'color' }, { item: 3, field: 'priority', message: /expected high, normal, low/ }], 'envelope problems first')
    t.equal(await waiting(), before, 'nothing stored')
    const r2 = await post(url, JSON.stringify([{ payload: { to: 'ok@example.test' } }, { payload: { to: 'not-an-email' } }, { payload: {} }]))
    t.equal(r2.status, 400)
    t.match(r2.body.errors, [{ item: 1, field: 'payload.to', message: /format/ }, { item: 2, field: 'payload.to', message: 'is required' }])
    t.match(r2.body, { detail: /item 1: payload.to/ })
    t.equal(await waiting(), before, 'nothing stored: the valid first item was not stored either')
    const notArray = await post(url, JSON.stringify({ payload: { to: 'a@example.test' } }))
    t.equal(notArray.status, 400)
    t.match(notArray.body, { detail: /must be a JSON array/ })
    const bad = await post(url, '[{"payload": ')
    t.equal(bad.status, 400)
    t.match(bad.body, { detail: /not valid JSON/ })
  })

  t.test('idempotency per item: a retried batch returns the same jobs, new keys get new jobs', async t => {
    const items = [
      { payload: { to: 'a@example.test' }, idempotencyKey: 'mail-1' },
      { payload: { to: 'b@example.test' }, idempotencyKey: 'mail-2' },
      { payload: { to: 'c@example.test' } }
    ]
    const first = jobsOf(await post(url, JSON.stringify(items)))
    const before = await waiting()
    const again = await post(url, JSON.stringify([...items.slice(0, 2), { payload: { to: 'd@example.test' }, idempotencyKey: 'mail-3' }]))
    t.equal(again.status, 202)
    const second = jobsOf(again)
    t.equal(second[0].id, first[0].id)
    t.equal(second[1].id, first[1].id)
    t.match(second.slice(0, 2), [{ duplicate: true, status: 'waiting' }, { duplicate: true }])
    t.not(second[2].id, first[2].id)
    t.equal(second[2].duplicate, false)
    t.equal(await waiting(), before + 1, 'only the new key stored a job')
    const twice = jobsOf(await post(url, JSON.stringify([{ payload: { to: 'e@example.test' }, idempotencyKey: 'mail-9' }, { payload: { to: 'e@example.test' }, idempotencyKey: 'mail-9' }])))
    t.equal(twice[1].id, twice[0].id, 'the same key twice in one batch is one job')
    t.equal(twice[1].duplicate, true)
  })

  t.test('too many items: 413 with the limit, nothing stored', async t => {
    const before = await waiting()
    const r = await post(url, JSON.stringify(Array.from({ length: 6 }, (_, i) => ({ payload: { to: `u${i}@example.test` } }))))
    t.equal(r.status, 413)
    t.match(r.body, { code: 'SIPUP_ERR_JOBS_BATCH_TOO_LARGE', detail: /6 jobs, more than 5 \(jobs\.batch\.maxItems\)/ })
    t.equal(await waiting(), before)
    const big = await post(url, JSON.stringify([{ payload: { to: 'a@example.test', pad: 'x'.repeat(2000) } }]))
    t.equal(big.status, 400)
    t.match(big.body.errors, [{ item: 0, field: 'payload', message: /larger than 1024 bytes \(jobs\.maxPayload\)/ }])
    // The batch body is bounded by jobs.batch.maxBody, not by the per-job jobs.maxPayload: 2.8 KB of three jobs is fine.
    const three = await post(url, JSON.stringify(Array.from({ length: 3 }, (_, i) => ({ payload: { to: `p${i}@example.test`, pad: 'x'.repeat(900) } }))))
    t.equal(three.status, 202)
    t.equal(await waiting(), before + 3)
    // A body past jobs.batch.maxBody is refused before it is parsed: a problem, not a stack, nothing stored.
    const huge = await post(url, JSON.stringify(Array.from({ length: 5 }, () => ({ payload: { to: 'a@example.test', pad: 'x'.repeat(900) } }))))
    t.equal(huge.status, 413)
    t.match(huge.headers['content-type'], /^application\/problem\+json/)
    t.match(huge.body, { status: 413, code: /^SIPUP_ERR_|^FST_ERR_CTP_BODY_TOO_LARGE$/ })
    t.notMatch(JSON.stringify(huge.body), /\n\s+at /)
    t.equal(await waiting(), before + 3)
  })

  t.test('auth as for one job: no credentials 401, nothing stored', async t => {
    const before = await waiting()
    const r = await post(url, JSON.stringify([{ payload: { to: 'a@example.test' } }]), {})
    t.equal(r.status, 401)
    t.equal(await waiting(), before)
  })
})

t.test('Redis unreachable: 503 with Retry-After, nothing stored', async t => {
  if (!await requireRedis(t)) return
  const dead = await freePort()
  const sc = await sidecar(t, `redis://127.0.0.1:${dead}`)
  const r = await post(`${sc.url}/_jobs/send_email/batch`, JSON.stringify([{ payload: { to: 'a@example.test' } }, { payload: { to: 'b@example.test' } }]))
  t.equal(r.status, 503)
  t.equal(r.headers['retry-after'], '5')
  t.match(r.body, { code: 'SIPUP_ERR_JOBS_UNAVAILABLE', detail: /nothing was stored/ })
})
