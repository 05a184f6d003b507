// bee-queue#106: a job that crashes its worker every time would be re-run forever. With jobs.stallLimit it fails
// after that many stalls, with an error saying so, and the workers carry on.
import t from '../helpers/cases.js'
import { join } from 'node:path'
import { packageRoot } from '../../src/paths.js'
import { requireRedis, uniquePrefix } from '../helpers/services.js'
import { deleteKeys, makeService } from './helpers.js'
import { kill, startWorker, writeWorkerConfig, type WorkerChild } from './worker-process.js'

// Real worker processes, started and killed several times: minutes on a loaded machine.
t.setTimeout(600_000)
const prefix = uniquePrefix('jobs-stall-limit')
t.after(() => deleteKeys(prefix))
const FIXTURES = join(packageRoot, 'test', 'jobs', 'fixtures')

t.test('a job that kills its worker every time ends failed after stallLimit stalls', async t => {
  if (!await requireRedis(t)) return
  const jobs = {
    stallInterval: '1s',
    stallLimit: 2,
    types: [
      { name: 'crash', handler: 'module', module: join(FIXTURES, 'crash.mjs'), attempts: 5 },
      { name: 'work', handler: 'module', module: join(FIXTURES, 'slow.mjs') }
    ]
  }
  const service = await makeService(t, prefix, jobs)
  const { id } = await service.producer.add('crash', {})
  const config = writeWorkerConfig(t, 'stall-limit', prefix, jobs)
  let deaths = 0
  let current: WorkerChild | null = null
  t.after(async () => { if (current !== null) await kill(current) })
  const end = Date.now() + 300_000
  // A supervisor, as systemd would be: restart the worker whenever it dies, until the job is settled.
  for (;;) {
    const info = await service.store.get(id)
    if (info?.status === 'failed') break
    if (Date.now() > end) throw new Error(`job not failed in time: ${JSON.stringify(info)}`)
    if (current === null || current.child.exitCode !== null || current.child.signalCode !== null) {
      if (current !== null) deaths++
      t.ok(deaths <= 2, `worker restarts stay within the stall limit (${deaths})`)
      if (deaths > 2) break
      current = await startWorker(config)
    }
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  const info = await service.store.get(id)
  t.equal(info?.status, 'failed')
  t.equal(deaths, 2, 'the job took down its worker twice, then was not run again')
  t.match(info?.error, /SIPUP_ERR_JOBS_STALLED.*stalled 2 times/)
  t.equal(info?.attempts, 3, 'two crashed runs, and the third start that refused to run it')
  const dead = await service.store.listFailed()
  t.match(dead.jobs, [{ id, name: 'crash' }], 'it is in the dead letter')
  // The worker that refused the job is alive and still works.
  t.ok(current !== null && current.child.exitCode === null && current.child.signalCode === null, 'the last worker is still running')
  const ok = await service.producer.add('work', { n: 1, ms: 1 })
  const end2 = Date.now() + 10_000
  while ((await service.store.get(ok.id))?.status !== 'succeeded') {
    if (Date.now() > end2) throw new Error('work job not done')
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  t.pass('and runs the next job')
})
