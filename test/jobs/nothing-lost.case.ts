// Nothing lost: 500 jobs, the worker process SIGKILLed while busy, a new one started: every job ends succeeded,
// and the ones that were running when the worker died show the re-run in their attempt count (at-least-once).
import t from '../helpers/cases.js'
import { join } from 'node:path'
import { packageRoot } from '../../src/paths.js'
import { requireRedis, uniquePrefix } from '../helpers/services.js'
import { deleteKeys, makeService } from './helpers.js'
import { kill, startWorker, writeWorkerConfig } from './worker-process.js'

// Real worker processes, started and killed several times: minutes on a loaded machine.
t.setTimeout(600_000)
const prefix = uniquePrefix('jobs-nothing-lost')
t.after(() => deleteKeys(prefix))
const TOTAL = 500

async function until (what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!await check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

t.test('500 jobs survive a SIGKILLed worker', async t => {
  if (!await requireRedis(t)) return
  const jobs = {
    concurrency: 20,
    // Long enough that a busy but live worker on a loaded machine still renews its jobs in time.
    stallInterval: '2s',
    types: [{ name: 'work', handler: 'module', module: join(packageRoot, 'test', 'jobs', 'fixtures', 'slow.mjs'), concurrency: 20, attempts: 1 }]
  }
  const service = await makeService(t, prefix, jobs)
  const ids: string[] = []
  for (let n = 0; n < TOTAL; n += 50) {
    const batch = await Promise.all(Array.from({ length: 50 }, (_, i) => service.producer.add('work', { n: n + i, ms: 40 })))
    ids.push(...batch.map(b => b.id))
  }
  const succeeded = async (): Promise<number> => (await service.store.queueStats(Date.now())).find(q => q.queue === 'normal')?.succeeded ?? 0
  const active = async (): Promise<number> => (await service.store.queueStats(Date.now())).find(q => q.queue === 'normal')?.active ?? 0

  const config = writeWorkerConfig(t, 'nothing-lost', prefix, jobs)
  const first = await startWorker(config)
  t.after(() => kill(first))
  await until('the first worker to finish 100 jobs', async () => await succeeded() >= 100, 120_000)
  t.ok(await active() > 0, 'the worker is busy when it is killed')
  await kill(first)
  const doneAtKill = await succeeded()
  t.ok(doneAtKill < TOTAL, `killed with ${TOTAL - doneAtKill} jobs not done`)

  const second = await startWorker(config)
  t.after(() => kill(second, 'SIGTERM'))
  await until('every job to succeed', async () => await succeeded() >= TOTAL, 240_000)

  const infos = await Promise.all(ids.map(id => service.store.get(id)))
  const statuses = new Map<string, number>()
  for (const i of infos) statuses.set(i?.status ?? 'missing', (statuses.get(i?.status ?? 'missing') ?? 0) + 1)
  t.same(Object.fromEntries(statuses), { succeeded: TOTAL }, 'all 500 succeeded, none missing or failed')
  const rerun = infos.filter(i => (i?.attempts ?? 0) > 1)
  t.ok(rerun.length > 0, `${rerun.length} job(s) were re-run after the kill`)
  t.ok(rerun.length <= 2 * 21, 'only jobs the dead worker had claimed were re-run')
  t.ok(rerun.every(i => (i?.result as { attempt: number }).attempt === i?.attempts), 'the handler saw the attempt number the status reports')
  t.equal(infos.reduce((n, i) => n + (i?.attempts ?? 0), 0), TOTAL + rerun.length, 'every other job ran exactly once')
  await kill(second, 'SIGTERM')
  t.equal(second.child.exitCode, 0, 'the second worker exits 0 on SIGTERM')
})
