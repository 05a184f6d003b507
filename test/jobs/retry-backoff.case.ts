// Retries wait an exponential backoff less random jitter (the random source injected), attempts per type, and the
// last failure dead-letters the job.
import t from '../helpers/cases.js'
import { join } from 'node:path'
import { packageRoot } from '../../src/paths.js'
import { backoffDelay } from '../../src/plugins/jobs/backoff.js'
import { requireRedis, uniquePrefix } from '../helpers/services.js'
import { deleteKeys, finished, makeService, waitForJob } from './helpers.js'

const prefix = uniquePrefix('jobs-retry')
t.after(() => deleteKeys(prefix))
const CONTROL = join(packageRoot, 'test', 'jobs', 'fixtures', 'control.mjs')
const { runs } = await import(CONTROL) as { runs: { tag: string, attempt: number, at: number }[] }

t.test('backoff arithmetic: doubling, capped, jitter takes off up to its share', async t => {
  const type = { backoffMs: 1000, maxBackoffMs: 5000, jitter: 0.5 }
  t.same([1, 2, 3, 4, 5].map(n => backoffDelay(type, n, () => 0)), [1000, 2000, 4000, 5000, 5000])
  t.same([1, 2, 3].map(n => backoffDelay(type, n, () => 1)), [500, 1000, 2000], 'full jitter halves it')
  t.equal(backoffDelay({ ...type, jitter: 0 }, 2, () => 0.7), 2000, 'no jitter, no randomness')
})

t.test('a flaky job is retried with growing delays and succeeds on its third attempt', async t => {
  if (!await requireRedis(t)) return
  const service = await makeService(t, prefix, {
    types: [{ name: 'flaky', handler: 'module', module: CONTROL, attempts: 3, backoff: '150ms', maxBackoff: '1s', jitter: 0.5 }]
  }, { random: () => 0 })
  await service.startWorkers()
  const { id } = await service.producer.add('flaky', { tag: 'flaky', failUntil: 3 })
  const info = await waitForJob(service, id, finished, 15_000)
  t.equal(info.status, 'succeeded')
  t.equal(info.attempts, 3)
  const mine = runs.filter(r => r.tag === 'flaky')
  t.same(mine.map(r => r.attempt), [1, 2, 3])
  const gap1 = mine[1].at - mine[0].at
  const gap2 = mine[2].at - mine[1].at
  // random() = 0: no jitter taken off, so exactly 150 then 300 ms of backoff; the upper bound allows for bee-queue's
  // delayed-job timer and a loaded machine.
  t.ok(gap1 >= 150 && gap1 < 150 + 1500, `first retry after ${gap1} ms (backoff 150)`)
  t.ok(gap2 >= 300 && gap2 < 300 + 1500, `second retry after ${gap2} ms (backoff 300)`)
  t.ok(gap2 > gap1, 'the delay grows')
})

t.test('after its last attempt a job is dead-lettered with its error', async t => {
  if (!await requireRedis(t)) return
  const service = await makeService(t, `${prefix}2:`, {
    types: [{ name: 'doomed', handler: 'module', module: CONTROL, attempts: 2, backoff: '50ms', maxBackoff: '50ms' }]
  })
  await service.startWorkers()
  const { id } = await service.producer.add('doomed', { tag: 'doomed', fail: true })
  const info = await waitForJob(service, id, finished)
  t.equal(info.status, 'failed')
  t.equal(info.attempts, 2)
  t.match(info.error, /failed on purpose \(doomed\)/)
  const dead = await service.store.listFailed()
  t.match(dead, { total: 1, jobs: [{ id, name: 'doomed', attempts: 2, error: /failed on purpose/ }] })
})
