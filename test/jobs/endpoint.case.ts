// The job endpoint through a real sidecar: auth (token, signature, replay), payload schema errors naming the field
// as RFC 9457 problem details, idempotency, 404/413, status and cancel, and nothing under the prefix reaching the origin.
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import { request } from 'undici'
import { sign } from '../../src/plugins/jobs/signature.js'
import '../../src/plugins/jobs/types.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { startOrigin, startSidecar, type Sidecar } from '../helpers/sidecar.js'
import { deleteKeys } from './helpers.js'

const prefix = uniquePrefix('jobs-endpoint')
const SECRET = 'endpoint-secret-0123456789abcdef'
const ORDER_SECRET = 'order-secret-0123456789abcdef'
t.after(() => deleteKeys(prefix))

const jobs = {
  enabled: true,
  secret: SECRET,
  maxPayload: '1KB',
  types: [
    {
      name: 'send_email',
      handler: 'http',
      url: '/cb',
      priority: 'high',
      schema: {
        type: 'object',
        required: ['to', 'subject'],
        properties: { to: { type: 'string', format: 'email' }, subject: { type: 'string', minLength: 1 }, items: { type: 'array', items: { type: 'object', required: ['sku'] } } }
      }
    },
    { name: 'process_order', handler: 'http', url: '/cb', secret: ORDER_SECRET }
  ]
}

async function sidecar (t: Test, origin: string): Promise<Sidecar> {
  const sc = await startSidecar({ upstream: { url: origin }, redis: { enabled: true, url: REDIS_URL, keyPrefix: prefix }, jobs })
  t.after(() => sc.close())
  return sc
}

interface Answer { status: number, headers: Record<string, string | string[] | undefined>, body: Record<string, unknown> }

async function call (url: string, method: 'POST' | 'GET' | 'DELETE', body: string | undefined, headers: Record<string, string>): Promise<Answer> {
  const res = await request(url, { method, body, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers } })
  const text = await res.body.text()
  return { status: res.statusCode, headers: res.headers, body: text === '' ? {} : JSON.parse(text) as Record<string, unknown> }
}

const bearer = (s = SECRET): Record<string, string> => ({ authorization: `Bearer ${s}` })
function signed (body: string, secret = SECRET, at = Date.now()): Record<string, string> {
  const ts = String(Math.floor(at / 1000))
  return { 'x-sidecar-timestamp': ts, 'x-sidecar-signature': sign(secret, ts, body) }
}

t.test('job endpoint', async t => {
  if (!await requireRedis(t)) return
  const origin = await startOrigin((_req, res) => { res.end('origin') })
  t.after(() => origin.close())
  const sc = await sidecar(t, origin.url)
  const base = `${sc.url}/_jobs`
  const good = JSON.stringify({ to: 'a@example.test', subject: 'Hi' })

  t.test('enqueue with a bearer token: 202, id, status, Location; then GET shows it', async t => {
    const r = await call(`${base}/send_email`, 'POST', good, bearer())
    t.equal(r.status, 202)
    t.match(r.body, { id: /^h\d+$/, status: 'waiting' }, 'the type\'s priority decides the queue')
    t.equal(r.headers.location, `/_jobs/${String(r.body.id)}`)
    t.equal(r.headers['cache-control'], 'no-store')
    const g = await call(`${sc.url}${String(r.headers.location)}`, 'GET', undefined, bearer())
    t.equal(g.status, 200)
    t.match(g.body, { id: r.body.id, type: 'send_email', queue: 'high', status: 'waiting', attempts: 0, maxAttempts: 3 })
  })

  t.test('signed enqueue; priority, delay from the query', async t => {
    const r = await call(`${base}/send_email?priority=low&delay=60`, 'POST', good, signed(good))
    t.equal(r.status, 202)
    t.match(r.body, { id: /^l\d+$/, status: 'delayed' })
    const g = await call(`${base}/${String(r.body.id)}`, 'GET', undefined, signed(''))
    t.equal(g.body.status, 'delayed')
    const runAt = Date.parse(String(g.body.runAt))
    t.ok(runAt > Date.now() + 50_000 && runAt <= Date.now() + 60_000, 'due in about a minute')
  })

  t.test('auth failures: 401 problem details, nothing stored', async t => {
    const waiting = async (): Promise<number> => (await sc.app.sidecarJobs.store.queueStats(Date.now())).find(q => q.queue === 'high')?.waiting ?? -1
    const before = await waiting()
    const cases: [string, Record<string, string>, RegExp][] = [
      ['no credentials', {}, /no credentials/],
      ['wrong token', bearer('nope'), /bad token/],
      ['bad signature', { ...signed(good), 'x-sidecar-signature': sign('other-secret', String(Math.floor(Date.now() / 1000)), good) }, /bad signature/],
      ['body changed after signing', signed(JSON.stringify({ to: 'evil@example.test', subject: 'Hi' })), /bad signature/],
      ['stale timestamp (replay of an old request)', signed(good, SECRET, Date.now() - 10 * 60_000), /replay window/],
      ['another type\'s secret', bearer(ORDER_SECRET), /bad token/]
    ]
    for (const [what, headers, detail] of cases) {
      const r = await call(`${base}/send_email`, 'POST', good, headers)
      t.equal(r.status, 401, what)
      t.match(r.headers['content-type'], /^application\/problem\+json/, `${what}: problem details`)
      t.match(r.body, { status: 401, code: 'SIPUP_ERR_JOBS_UNAUTHORIZED', detail }, what)
    }
    t.equal(await waiting(), before, 'nothing was stored')
    const orders = await call(`${base}/process_order`, 'POST', '{}', bearer())
    t.equal(orders.status, 401, 'a type with its own secret refuses the global one')
    t.equal((await call(`${base}/process_order`, 'POST', '{}', bearer(ORDER_SECRET))).status, 202, 'and takes its own')
  })

  t.test('a signature is accepted once: a replayed request inside the window is refused', async t => {
    const body = JSON.stringify({ to: 'b@example.test', subject: 'Once' })
    const headers = signed(body)
    t.equal((await call(`${base}/send_email`, 'POST', body, headers)).status, 202)
    const again = await call(`${base}/send_email`, 'POST', body, headers)
    t.equal(again.status, 401)
    t.match(again.body, { detail: /already used/ })
  })

  t.test('schema errors name the field', async t => {
    const missing = await call(`${base}/send_email`, 'POST', JSON.stringify({ to: 'a@example.test' }), bearer())
    t.equal(missing.status, 400)
    t.match(missing.headers['content-type'], /^application\/problem\+json/)
    t.match(missing.body, { code: 'SIPUP_ERR_JOBS_INVALID_PAYLOAD', detail: /subject is required/, errors: [{ field: 'subject', message: 'is required' }] })
    const format = await call(`${base}/send_email`, 'POST', JSON.stringify({ to: 'not-an-email', subject: 'x' }), bearer())
    t.match(format.body, { errors: [{ field: 'to', message: /format "email"/ }] })
    const nested = await call(`${base}/send_email`, 'POST', JSON.stringify({ to: 'a@example.test', subject: 'x', items: [{ sku: 'A' }, {}] }), bearer())
    t.match(nested.body, { errors: [{ field: 'items[1].sku', message: 'is required' }] })
    const notJson = await call(`${base}/send_email`, 'POST', '{"to": ', bearer())
    t.equal(notJson.status, 400)
    t.match(notJson.body, { errors: [{ field: '(payload)', message: /not valid JSON/ }] })
  })

  t.test('idempotency: the same key returns the first job', async t => {
    const h = { ...bearer(), 'idempotency-key': 'order-42-confirmation' }
    const first = await call(`${base}/send_email`, 'POST', good, h)
    const second = await call(`${base}/send_email`, 'POST', good, h)
    t.equal(first.status, 202)
    t.equal(second.status, 202)
    t.equal(second.body.id, first.body.id, 'same job')
    t.equal(second.headers['idempotent-replayed'], 'true')
    const other = await call(`${base}/send_email`, 'POST', good, { ...bearer(), 'idempotency-key': 'order-43-confirmation' })
    t.not(other.body.id, first.body.id, 'another key, another job')
  })

  t.test('404 unknown type, 413 too large, 400 bad option', async t => {
    const unknown = await call(`${base}/no_such_type`, 'POST', '{}', bearer())
    t.equal(unknown.status, 404)
    t.match(unknown.body, { code: 'SIPUP_ERR_JOBS_UNKNOWN_TYPE' })
    const big = await call(`${base}/send_email`, 'POST', JSON.stringify({ to: 'a@example.test', subject: 'x'.repeat(2000) }), bearer())
    t.equal(big.status, 413)
    t.match(big.body, { code: 'SIPUP_ERR_JOBS_PAYLOAD_TOO_LARGE' })
    const prio = await call(`${base}/send_email?priority=urgent`, 'POST', good, bearer())
    t.equal(prio.status, 400)
    t.match(prio.body, { code: 'SIPUP_ERR_JOBS_INVALID_OPTION', detail: /priority: expected high, normal, low, got 'urgent'/ })
    const noJob = await call(`${base}/n999999999`, 'GET', undefined, bearer())
    t.equal(noJob.status, 404)
    t.match(noJob.body, { code: 'SIPUP_ERR_JOBS_NOT_FOUND' })
  })

  t.test('DELETE cancels a waiting job; GET then 404', async t => {
    const r = await call(`${base}/send_email?delay=1h`, 'POST', good, bearer())
    const del = await call(`${base}/${String(r.body.id)}`, 'DELETE', undefined, bearer())
    t.equal(del.status, 200)
    t.same(del.body, { id: r.body.id, status: 'cancelled' })
    t.equal((await call(`${base}/${String(r.body.id)}`, 'GET', undefined, bearer())).status, 404)
  })

  t.test('nothing under the prefix reaches the origin', async t => {
    const hits = origin.requests.length
    for (const path of ['/_jobs', '/_jobs/', '/_jobs/a/b', '/_jobs/send_email']) {
      const r = await request(`${sc.url}${path}`, { method: 'GET' })
      await r.body.text()
      t.ok(r.statusCode === 404 || r.statusCode === 401, `${path}: ${r.statusCode}`)
    }
    t.equal(origin.requests.length, hits, 'the origin saw none of them')
  })
})
