// Recurring schedules: two workers (two engines, two connections) race on every tick and exactly one job per tick
// is enqueued; a tick missed while no worker ran is caught up once (catchUp: one) or skipped (none). The clock is
// injected; the claims and enqueues are real Redis calls.
import t from '../helpers/cases.js'
import { join } from 'node:path'
import { packageRoot } from '../../src/paths.js'
import { CronScheduler } from '../../src/plugins/jobs/cron.js'
import type { JobsService } from '../../src/plugins/jobs/service.js'
import { requireRedis, uniquePrefix } from '../helpers/services.js'
import { deleteKeys, makeService, silentLog } from './helpers.js'

const prefix = uniquePrefix('jobs-cron')
t.after(() => deleteKeys(prefix))
const CONTROL = join(packageRoot, 'test', 'jobs', 'fixtures', 'control.mjs')
const T0 = Date.parse('2026-12-02T03:00:00.000Z')

function schedulerFor (service: JobsService, now: () => number): CronScheduler {
  return new CronScheduler({
    schedules: service.params.schedules,
    producer: service.producer,
    claim: service.claim,
    client: service.store.client,
    keys: service.keys,
    log: silentLog,
    now
  })
}

async function waiting (service: JobsService): Promise<number> {
  return (await service.store.queueStats(Date.now())).reduce((n, q) => n + q.waiting, 0)
}

const jobs = (catchUp: string) => ({
  types: [{ name: 'cleanup', handler: 'module', module: CONTROL }],
  schedules: [{ name: 'every_minute', cron: '* * * * *', type: 'cleanup', payload: { tag: 'cron' }, catchUp }]
})

t.test('two workers, five ticks: exactly five jobs', async t => {
  if (!await requireRedis(t)) return
  const p = `${prefix}race:`
  const [a, b] = await Promise.all([makeService(t, p, jobs('one')), makeService(t, p, jobs('one'))])
  let now = T0 + 30_000
  const sa = schedulerFor(a, () => now)
  const sb = schedulerFor(b, () => now)
  for (let i = 1; i <= 5; i++) {
    now = T0 + i * 60_000 + 5
    await Promise.all([sa.runDue(now), sb.runDue(now), sa.runDue(now)])
  }
  t.equal(await waiting(a), 5, 'one job per tick, not one per worker')
  const last = await a.store.client.get(a.keys.cronLast('every_minute'))
  t.equal(Number(last), T0 + 5 * 60_000, 'the last tick run is remembered')
  await sa.stop()
  await sb.stop()
})

t.test('catchUp one: the latest tick missed while no worker ran runs once on start', async t => {
  if (!await requireRedis(t)) return
  const p = `${prefix}catch:`
  const a = await makeService(t, p, jobs('one'))
  await a.store.client.set(a.keys.cronLast('every_minute'), String(T0))
  const now = T0 + 10 * 60_000 + 20_000 // ten ticks missed
  const [s1, s2] = [schedulerFor(a, () => now), schedulerFor(a, () => now)]
  await Promise.all([s1.catchUp(), s2.catchUp()])
  t.equal(await waiting(a), 1, 'one catch-up run, whichever worker starts first, however many ticks were missed')
  t.equal(Number(await a.store.client.get(a.keys.cronLast('every_minute'))), T0 + 10 * 60_000)
  await s1.catchUp()
  t.equal(await waiting(a), 1, 'and not again')
})

t.test('catchUp none: missed ticks are skipped; a first start catches up nothing', async t => {
  if (!await requireRedis(t)) return
  const p = `${prefix}none:`
  const a = await makeService(t, p, jobs('none'))
  await a.store.client.set(a.keys.cronLast('every_minute'), String(T0))
  await schedulerFor(a, () => T0 + 10 * 60_000 + 1).catchUp()
  t.equal(await waiting(a), 0, 'skipped')
  const fresh = await makeService(t, `${prefix}fresh:`, jobs('one'))
  await schedulerFor(fresh, () => T0 + 10 * 60_000 + 1).catchUp()
  t.equal(await waiting(fresh), 0, 'no last run recorded: nothing was missed')
})

t.test('time zones: 02:00 Europe/Berlin is 01:00 UTC in winter', async t => {
  if (!await requireRedis(t)) return
  const a = await makeService(t, `${prefix}tz:`, {
    timezone: 'Europe/Berlin',
    types: [{ name: 'cleanup', handler: 'module', module: CONTROL }],
    schedules: [{ name: 'nightly', cron: '0 2 * * *', type: 'cleanup' }]
  })
  const next = a.params.schedules[0].cron.nextRun(new Date('2026-12-02T00:00:00Z'))
  t.equal(next?.toISOString(), '2026-12-02T01:00:00.000Z')
})

t.test('the default claim: one winner per key while it lives', async t => {
  if (!await requireRedis(t)) return
  const a = await makeService(t, `${prefix}claim:`, jobs('one'))
  const key = a.keys.cronTick('every_minute', T0)
  const wins = await Promise.all(Array.from({ length: 10 }, () => a.claim(key, 60_000)))
  t.equal(wins.filter(Boolean).length, 1)
  const ttl = await a.store.client.pttl(key)
  t.ok(ttl > 50_000 && ttl <= 60_000, 'with the TTL asked for')
})
