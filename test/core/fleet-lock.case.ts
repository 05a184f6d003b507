// "Once across the fleet" against the real Redis: one holder among contenders, expiry, release, fencing tokens that
// only grow, one-shot claims, leadership, and a coded refusal (never a silent run) while Redis is unreachable.
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import { Redis } from 'ioredis'
import { LocalLocks, RedisLocks, type FleetLocks } from '../../src/core/fleet-lock.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'

async function cleanup (client: Redis, prefix: string): Promise<void> {
  const keys = await client.keys(`${prefix}*`)
  if (keys.length > 0) await client.del(...keys)
}

/** Returns a maker of contenders on one lock space (two "instances"), or null when skipped. */
type Space = (t: Test) => Promise<(() => FleetLocks) | null>

function suite (name: string, space: Space): void {
  t.test(`${name}: one holder among contenders; the others get null until it releases`, async t => {
    const make = await space(t)
    if (make === null) return
    const a = make()
    const b = make()
    const leases = await Promise.all([a.acquire('job', 5000), b.acquire('job', 5000), a.acquire('job', 5000), b.acquire('job', 5000)])
    const held = leases.filter(l => l !== null)
    t.equal(held.length, 1, 'exactly one contender holds it')
    const holder = held[0]
    t.ok(holder?.held)
    await holder?.release()
    t.notOk(holder?.held, 'released')
    const next = await b.acquire('job', 5000)
    t.not(next, null, 'free again after release')
    t.ok((next?.token ?? 0) > (holder?.token ?? 0), 'the fencing token grew')
    t.equal(await b.isCurrent('job', next?.token ?? -1), true)
    t.equal(await b.isCurrent('job', holder?.token ?? -1), false, 'the old token is stale')
    await next?.release()
  })

  t.test(`${name}: a lease expires on its own; the late holder's extend fails and its token is stale`, async t => {
    const make = await space(t)
    if (make === null) return
    const a = make()
    const b = make()
    const first = await a.acquire('expiring', 150)
    t.not(first, null)
    t.equal(await b.acquire('expiring', 150), null, 'held')
    await new Promise(resolve => setTimeout(resolve, 250))
    t.notOk(first?.held, 'the holder knows its lease ran out')
    const second = await b.acquire('expiring', 5000)
    t.not(second, null, 'taken over after expiry')
    t.equal(await first?.extend(5000), false, 'the expired holder cannot extend')
    t.equal(await a.isCurrent('expiring', first?.token ?? -1), false)
    await first?.release()
    t.equal(await b.isCurrent('expiring', second?.token ?? -1), true, 'releasing a lost lease does not free the new holder\'s')
    await second?.release()
  })

  t.test(`${name}: claim is true for exactly one caller per key until its ttl passes`, async t => {
    const make = await space(t)
    if (make === null) return
    const a = make()
    const b = make()
    const wins = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).claim('tick:2026-12-02T03:00', 5000)))
    t.equal(wins.filter(Boolean).length, 1)
    t.equal(await a.claim('tick:2026-12-02T03:05', 5000), true, 'another key is another claim')
    t.equal(await a.claim('short', 100), true)
    await new Promise(resolve => setTimeout(resolve, 150))
    t.equal(await b.claim('short', 100), true, 'claimable again after the ttl')
  })

  t.test(`${name}: runExclusive runs once among concurrent callers and extends the lease while it runs`, async t => {
    const make = await space(t)
    if (make === null) return
    const a = make()
    const b = make()
    let runs = 0
    const work = async (): Promise<string> => {
      runs++
      // Longer than the ttl: only the renewals keep the lease.
      await new Promise(resolve => setTimeout(resolve, 400))
      return 'done'
    }
    const results = await Promise.all([a.runExclusive('ddl', 200, work), b.runExclusive('ddl', 200, work)])
    t.equal(runs, 1)
    t.same(results.map(r => r.ran).sort(), [false, true])
    t.same(results.find(r => r.ran), { ran: true, value: 'done' })
    t.not(await a.acquire('ddl', 1000), null, 'released afterwards')
  })

  t.test(`${name}: lead() elects one leader and hands over when it stops`, async t => {
    const make = await space(t)
    if (make === null) return
    const a = make()
    const b = make()
    const elected: string[] = []
    // A ttl far above any event-loop stall of a loaded machine, so a's renewals never miss by accident.
    const la = a.lead('scheduler', 3000, { onElected: () => elected.push('a') })
    for (let i = 0; i < 40 && !la.leader; i++) await new Promise(resolve => setTimeout(resolve, 25))
    const lb = b.lead('scheduler', 3000, { onElected: () => elected.push('b') })
    t.teardown(async () => { await la.stop(); await lb.stop() })
    await new Promise(resolve => setTimeout(resolve, 100))
    t.same(elected, ['a'])
    t.ok(la.leader)
    t.notOk(lb.leader)
    await la.stop()
    // b campaigns every ttl/3.
    for (let i = 0; i < 60 && !lb.leader; i++) await new Promise(resolve => setTimeout(resolve, 50))
    t.ok(lb.leader, 'b took over')
    t.same(elected, ['a', 'b'])
  })
}

suite('redis', async t => {
  if (!await requireRedis(t)) return null
  const prefix = uniquePrefix('fleet-lock')
  const clients: Redis[] = []
  t.teardown(async () => {
    await cleanup(clients[0], prefix)
    for (const c of clients) c.disconnect()
  })
  // Each contender has its own connection, as two sidecar instances would.
  return () => {
    const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
    clients.push(client)
    return new RedisLocks(client, prefix)
  }
})

suite('local (Redis disabled)', async () => {
  const locks = new LocalLocks()
  return () => locks
})

t.test('redis: a Redis that does not answer refuses with SIPUP_ERR_FLEET_LOCK_UNAVAILABLE instead of running the work', async t => {
  const client = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null })
  client.on('error', () => {})
  t.teardown(() => client.disconnect())
  const locks = new RedisLocks(client, 'sipup-test:down:')
  await t.rejects(locks.acquire('ddl', 1000), { code: 'SIPUP_ERR_FLEET_LOCK_UNAVAILABLE', statusCode: 503 })
  await t.rejects(locks.claim('tick', 1000), { code: 'SIPUP_ERR_FLEET_LOCK_UNAVAILABLE' })
  let ran = false
  await t.rejects(locks.runExclusive('ddl', 1000, async () => { ran = true }), { code: 'SIPUP_ERR_FLEET_LOCK_UNAVAILABLE' })
  t.equal(ran, false)
})
