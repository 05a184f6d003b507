// The dead letter through the admin API the dashboard calls: newest failures first, retry one, retry all, delete.
// Workers run inline in the sidecar (jobs.inline).
import t from '../helpers/cases.js'
import { join } from 'node:path'
import { request } from 'undici'
import { packageRoot } from '../../src/paths.js'
import '../../src/plugins/jobs/types.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { deleteKeys, finished, waitForJob } from './helpers.js'

const prefix = uniquePrefix('jobs-dead-letter')
t.after(() => deleteKeys(prefix))
const CONTROL = join(packageRoot, 'test', 'jobs', 'fixtures', 'control.mjs')
const { state } = await import(CONTROL) as { state: { fail: boolean } }
const ADMIN = 'admin-token-0123456789abcdef0123'

t.test('dead letter: list, retry one, retry all, delete', async t => {
  if (!await requireRedis(t)) return
  const origin = await startOrigin((_req, res) => { res.end('origin') })
  t.after(() => origin.close())
  const sc = await startSidecar({
    upstream: { url: origin.url },
    admin: { token: ADMIN },
    redis: { enabled: true, url: REDIS_URL, keyPrefix: prefix },
    jobs: { enabled: true, inline: true, secret: 'jobs-secret-0123456789', types: [{ name: 'sync_inventory', handler: 'module', module: CONTROL, attempts: 1 }] }
  })
  t.after(() => sc.close())
  const service = sc.app.sidecarJobs
  await service.connect()
  const admin = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number, body: Record<string, unknown> }> => {
    const res = await request(`${sc.url}/_admin${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    return { status: res.statusCode, body: await res.body.json() as Record<string, unknown> }
  }

  state.fail = true
  const ids: string[] = []
  for (const tag of ['a', 'b', 'c']) {
    const { id } = await service.producer.add('sync_inventory', { tag })
    ids.push(id)
    t.equal((await waitForJob(service, id, finished)).status, 'failed', `${tag} failed`)
  }
  const list = await admin('GET', '/api/jobs/failed')
  t.equal(list.status, 200)
  t.equal(list.body.total, 3)
  const jobs = list.body.jobs as { id: string, name: string, queue: string, error: string, failedAt: string }[]
  t.same(jobs.map(j => j.id), [...ids].reverse(), 'newest failure first')
  t.match(jobs[0], { name: 'sync_inventory', queue: 'normal', error: /failed on purpose \(c\)/ })

  const panels = await admin('GET', '/api/panels')
  t.match(panels.body, { jobs: { available: true, api: { failed: '/_admin/api/jobs/failed' } } }, 'the dashboard panel is lit')

  state.fail = false
  const one = await admin('POST', '/api/jobs/retry', { ids: [ids[0]] })
  t.same(one.body, { retried: 1, ids: [ids[0]] })
  const retried = await waitForJob(service, ids[0], finished)
  t.equal(retried.status, 'succeeded', 'the retried job ran again and succeeded')
  t.equal(retried.attempts, 1, 'with a fresh attempt count')
  t.equal((await admin('GET', '/api/jobs/failed')).body.total, 2)

  const bad = await admin('POST', '/api/jobs/retry', { ids: 'nope' })
  t.equal(bad.status, 400)
  t.match(bad.body, { code: 'SIPUP_ERR_JOBS_ADMIN_INVALID' })

  const all = await admin('POST', '/api/jobs/retry', { all: true })
  t.equal(all.body.retried, 2)
  for (const id of ids.slice(1)) t.equal((await waitForJob(service, id, finished)).status, 'succeeded')
  t.equal((await admin('GET', '/api/jobs/failed')).body.total, 0, 'the dead letter is empty')

  state.fail = true
  const { id: gone } = await service.producer.add('sync_inventory', { tag: 'd' })
  await waitForJob(service, gone, finished)
  const del = await admin('POST', '/api/jobs/delete', { ids: [gone] })
  t.same(del.body, { deleted: 1 })
  t.equal(await service.store.get(gone), null, 'deleted for good')
  t.equal((await admin('GET', '/api/jobs/failed')).body.total, 0)
  state.fail = false
})
