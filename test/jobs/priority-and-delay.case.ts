// Real workers: a backlog drains high first, then normal, then low; delayed jobs wait for their time.
import t from '../helpers/cases.js'
import { join } from 'node:path'
import { packageRoot } from '../../src/paths.js'
import { requireRedis, uniquePrefix } from '../helpers/services.js'
import { deleteKeys, finished, makeService, waitForJob } from './helpers.js'

const prefix = uniquePrefix('jobs-priority')
t.after(() => deleteKeys(prefix))
const CONTROL = join(packageRoot, 'test', 'jobs', 'fixtures', 'control.mjs')
const { state, runs } = await import(CONTROL) as { state: { hold: Promise<void> | null }, runs: { tag: string, at: number }[] }

t.test('priority order: a backlog built while the worker is busy runs high first, low last', async t => {
  if (!await requireRedis(t)) return
  const service = await makeService(t, prefix, { concurrency: 1, types: [{ name: 'task', handler: 'module', module: CONTROL, concurrency: 1 }] })
  await service.startWorkers()
  let release = (): void => {}
  state.hold = new Promise<void>(resolve => { release = resolve })
  const blocker = await service.producer.add('task', { tag: 'blocker', hold: true })
  await waitForJob(service, blocker.id, j => j.status === 'active')
  const ids: string[] = []
  for (const [prio, tag] of [['low', 'L'], ['normal', 'N'], ['high', 'H']] as const) {
    for (let i = 1; i <= 5; i++) ids.push((await service.producer.add('task', { tag: `${tag}${i}`, sleep: 50 }, { priority: prio })).id)
  }
  release()
  for (const id of ids) await waitForJob(service, id, finished, 20_000)
  const order = runs.filter(r => r.tag !== 'blocker' && /^[LNH]\d$/.test(r.tag)).map(r => r.tag[0])
  t.equal(order.length, 15)
  t.same(order.slice(0, 4), ['H', 'H', 'H', 'H'], `high first (${order.join('')})`)
  t.ok(order.lastIndexOf('H') < order.indexOf('L'), 'every high job before the first low one')
  t.ok(order.lastIndexOf('N') < order.lastIndexOf('L'), 'low last')
  state.hold = null
})

t.test('delayed jobs: runAt and delay hold a job until its time', async t => {
  if (!await requireRedis(t)) return
  const service = await makeService(t, `${prefix}d:`, { types: [{ name: 'later', handler: 'module', module: CONTROL }] })
  await service.startWorkers()
  const runAt = Date.now() + 400
  const a = await service.producer.add('later', { tag: 'runAt' }, { runAt })
  const enqueuedB = Date.now()
  const b = await service.producer.add('later', { tag: 'delay' }, { delayMs: 300 })
  t.equal(a.status, 'delayed')
  const info = await service.store.get(a.id)
  t.equal(info?.status, 'delayed')
  t.equal(info?.runAt, new Date(runAt).toISOString())
  await waitForJob(service, a.id, finished)
  await waitForJob(service, b.id, finished)
  const ranA = runs.find(r => r.tag === 'runAt')?.at ?? 0
  const ranB = runs.find(r => r.tag === 'delay')?.at ?? 0
  t.ok(ranA >= runAt && ranA < runAt + 2000, `runAt job ran ${ranA - runAt} ms after its time`)
  t.ok(ranB >= enqueuedB + 300 && ranB < enqueuedB + 300 + 2000, `delayed job ran ${ranB - enqueuedB} ms after it was enqueued (delay 300)`)
})

t.test('a saturated type does not hold up the other types of its priority', async t => {
  if (!await requireRedis(t)) return
  const service = await makeService(t, `${prefix}s:`, {
    concurrency: 4,
    types: [
      { name: 'report', handler: 'module', module: CONTROL, concurrency: 1 },
      { name: 'notify', handler: 'module', module: CONTROL, concurrency: 4 }
    ]
  })
  let release = (): void => {}
  state.hold = new Promise<void>(resolve => { release = resolve })
  t.after(() => { release(); state.hold = null })
  // A backlog of slow reports, more than the worker claims at once, all in the normal queue.
  for (let i = 0; i < 12; i++) await service.producer.add('report', { tag: `report-${i}`, hold: true })
  await service.startWorkers()
  const { id } = await service.producer.add('notify', { tag: 'notify' })
  const started = Date.now()
  const info = await waitForJob(service, id, finished, 10_000)
  t.equal(info.status, 'succeeded', `the notification ran after ${Date.now() - started} ms while reports still wait`)
  const reports = (await service.store.queueStats(Date.now())).find(q => q.queue === 'normal')
  t.ok((reports?.succeeded ?? 0) === 1, 'no report finished (they are held)')
  release()
})
