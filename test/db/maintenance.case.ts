// Scheduled ANALYZE TABLE once per period across the fleet, with the lock function injected: the core's fleet locks
// on Redis (two "instances" share them) and in process, as the plugin and the CLI hand them in.
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import { Redis } from 'ioredis'
import { DbClient } from '../../src/plugins/db/db-client.js'
import { LocalLocks, RedisLocks, type FleetLocks } from '../../src/core/fleet-lock.js'
import { AnalyzeScheduler, MAINTENANCE_LOCK } from '../../src/plugins/db/maintenance.js'
import type { LockFn } from '../../src/plugins/db/types.js'
import { REDIS_URL, requireMysql, requireRedis, uniquePrefix } from '../helpers/services.js'
import { quietLogger } from './fixtures/advisor.js'
import { createTestDatabase } from './fixtures/b2b-schema.js'

const WEEK = 7 * 86_400_000

/** The adapter src/plugins/db/index.ts and the db command use. */
const lockFn = (locks: FleetLocks): LockFn => (name, ttlMs) => locks.acquire(name, ttlMs)
const localLock = (now: () => number = Date.now): LockFn => lockFn(new LocalLocks(now))

async function lockSuite (t: Test, lock: LockFn, expire: (name: string) => Promise<void>): Promise<void> {
  const a = await lock('x', 1000)
  t.ok(a !== null, 'free: taken')
  t.equal(await lock('x', 1000), null, 'held: refused')
  t.ok(await lock('y', 1000) !== null, 'another name is another lock')
  await a?.release()
  const b = await lock('x', 1000)
  t.ok(b !== null, 'released: taken again')
  await expire('x')
  const c = await lock('x', 1000)
  t.ok(c !== null, 'expired: taken again')
  await b?.release()
  t.equal(await lock('x', 1000), null, 'a stale holder\'s release does not free the new holder\'s lock')
  await c?.release()
}

t.test('local lock', async t => {
  let now = 0
  await lockSuite(t, localLock(() => now), async () => { now += 1500 })
})

t.test('Redis fleet lock', async t => {
  if (!await requireRedis(t)) return
  const client = new Redis(REDIS_URL)
  t.after(() => client.quit())
  const prefix = uniquePrefix('db-lock')
  t.after(async () => { const keys = await client.keys(`${prefix}*`); if (keys.length > 0) await client.del(...keys) })
  // Expiry is Redis's own clock: end the key's life instead of waiting it out.
  await lockSuite(t, lockFn(new RedisLocks(client, prefix)), async name => {
    const key = `${prefix}lock:{${name}}`
    t.ok(await client.pttl(key) > 0, 'the key has its TTL')
    await client.del(key)
  })
})

t.test('ANALYZE TABLE maintenance, once per period across instances', async t => {
  if (!await requireMysql(t)) return
  const db = await createTestDatabase('maint')
  t.after(() => db.drop())
  await db.pool.query('CREATE TABLE a (id INT PRIMARY KEY, v INT, KEY ix_v (v))')
  await db.pool.query('CREATE TABLE b (id INT PRIMARY KEY)')
  await db.pool.query('INSERT INTO a SELECT seq, seq % 7 FROM seq_1_to_1000')
  const client = new DbClient({ pool: db.pool, server: 'test', queryTimeoutMs: 10_000 })
  let now = Date.UTC(2026, 0, 5)
  const runs: string[] = []
  const make = (lock: LockFn, tables: string[] = [`${db.name}.a`, `${db.name}.b`]): AnalyzeScheduler => new AnalyzeScheduler({
    client, lock, logger: quietLogger, intervalMs: WEEK, lockWaitTimeoutMs: 2000, tables: async () => tables, now: () => now, onRun: o => { runs.push(o) }
  })

  t.test('two instances sharing a lock: one runs, the other skips, until the next period', async t => {
    const shared = localLock(() => now)
    const one = make(shared)
    const two = make(shared)
    const [r1, r2] = await Promise.all([one.tick(), two.tick()])
    t.equal([r1, r2].filter(r => r.ran).length, 1, 'exactly one ran')
    const ran = r1.ran ? r1 : r2
    t.same(ran.tables.map(x => [x.table, x.ok]), [[`${db.name}.a`, true], [`${db.name}.b`, true]])
    t.match(ran.tables[0].message, /OK|Table is already up to date/)
    t.match((r1.ran ? r2 : r1).reason, /already run/)
    t.equal((await one.tick()).ran, false, 'same period: not again')
    now += WEEK
    t.equal((await two.tick()).ran, true, 'next period: runs again')
    t.same(runs.sort(), ['ran', 'ran', 'skipped', 'skipped'])
  })

  t.test('a run where every table fails frees the period for a retry', async t => {
    const lock = localLock(() => now)
    const broken = make(lock, [`${db.name}.missing`])
    const r = await broken.tick()
    t.equal(r.ran, true)
    t.equal(r.tables[0].ok, false)
    t.match(r.tables[0].message, /doesn't exist/)
    t.ok(await lock(`${MAINTENANCE_LOCK}:${Math.floor(now / WEEK)}`, 1000) !== null, 'the period lock was released')
  })

  t.test('start/stop: a timer that never keeps the process alive', async t => {
    const s = make(localLock(() => now))
    s.start()
    s.start()
    await s.stop()
    t.pass('stopped')
  })
})
