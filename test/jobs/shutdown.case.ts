// Graceful stop: running jobs finish within the deadline; claimed jobs that had not started go back to their queue
// without spending an attempt; a job still running at the deadline is aborted and re-run by another worker.
import t from '../helpers/cases.js'
import { join } from 'node:path'
import { packageRoot } from '../../src/paths.js'
import { requireRedis, uniquePrefix } from '../helpers/services.js'
import { deleteKeys, finished, makeService, waitForJob } from './helpers.js'

const prefix = uniquePrefix('jobs-shutdown')
t.after(() => deleteKeys(prefix))
const CONTROL = join(packageRoot, 'test', 'jobs', 'fixtures', 'control.mjs')

t.test('stop within the deadline: the running job finishes, the claimed one is handed back', async t => {
  if (!await requireRedis(t)) return
  const jobs = { concurrency: 1, types: [{ name: 'task', handler: 'module', module: CONTROL, concurrency: 1 }] }
  const service = await makeService(t, prefix, jobs)
  const pool = await service.startWorkers()
  const running = await service.producer.add('task', { tag: 'running', sleep: 1000 })
  await waitForJob(service, running.id, j => j.attempts === 1)
  const queued = await service.producer.add('task', { tag: 'queued' })
  // The worker claims it (it is "active" in bee-queue) but has no free slot for it.
  const end = Date.now() + 5000
  while (pool.waiting !== 1) {
    if (Date.now() > end) throw new Error('the second job was not claimed')
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  const started = Date.now()
  t.equal(await service.stopWorkers(5000), true, 'every running job finished in time')
  t.ok(Date.now() - started < 3000, 'without waiting for the deadline')
  t.equal((await service.store.get(running.id))?.status, 'succeeded')
  const back = await service.store.get(queued.id)
  t.equal(back?.status, 'waiting', 'the claimed job is back in its queue')
  t.equal(back?.attempts, 0, 'without an attempt spent')

  const next = await makeService(t, prefix, jobs)
  await next.startWorkers()
  const done = await waitForJob(next, queued.id, finished)
  t.equal(done.status, 'succeeded')
  t.equal(done.attempts, 1)
})

t.test('a job past the deadline is aborted and re-run elsewhere', async t => {
  if (!await requireRedis(t)) return
  const jobs = { stallInterval: '1s', types: [{ name: 'slow', handler: 'module', module: CONTROL, attempts: 1 }] }
  const service = await makeService(t, `${prefix}2:`, jobs)
  await service.startWorkers()
  const { id } = await service.producer.add('slow', { tag: 'slow', sleep: 1500 })
  await waitForJob(service, id, j => j.attempts === 1)
  t.equal(await service.stopWorkers(200), false, 'not finished by the deadline')
  const other = await makeService(t, `${prefix}2:`, jobs)
  await other.startWorkers()
  const info = await waitForJob(other, id, finished, 15_000)
  t.equal(info.status, 'succeeded', 'the other worker ran it (attempts: 1 allowed, a re-run is not a retry)')
  t.equal(info.attempts, 2, 'and the count shows the re-run')
})
