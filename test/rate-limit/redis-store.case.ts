import t from '../helpers/cases.js'
import { Redis } from 'ioredis'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { RedisStore } from '../../src/plugins/rate-limit/redis-store.js'
import { storeSuite } from './store-suite.js'
import type { Check, StoreResult } from '../../src/plugins/rate-limit/types.js'

async function cleanup (client: Redis, prefix: string): Promise<void> {
  const keys = await client.keys(`${prefix}*`)
  if (keys.length > 0) await client.del(...keys)
}

t.test('redis store', async t => {
  if (!await requireRedis(t)) return
  const client = new Redis(REDIS_URL, { enableOfflineQueue: true })
  const prefix = uniquePrefix('rl-redis-store')
  t.after(async () => { await cleanup(client, prefix); await client.quit() })
  let n = 0
  storeSuite(t, async (_t, ban) => {
    const p = `${prefix}${n++}:`
    return { store: new RedisStore({ client, prefix: `${p}rl:`, ban }) }
  })
})

t.test('a batch mixing shapes (groups out of check order, bannable and exempt, leases) answers as the memory store', async t => {
  if (!await requireRedis(t)) return
  const { MemoryStore } = await import('../../src/plugins/rate-limit/memory-store.js')
  const { makeTier } = await import('../../src/plugins/rate-limit/tiers.js')
  const client = new Redis(REDIS_URL, { enableOfflineQueue: true })
  const prefix = uniquePrefix('rl-redis-shapes')
  t.after(async () => { await cleanup(client, prefix); await client.quit() })
  const ban = { strikes: 3, withinMs: 60_000, durationMs: 120_000 }
  const redis = new RedisStore({ client, prefix: `${prefix}rl:`, ban })
  const memory = new MemoryStore({ maxKeys: 1000, ban })
  const ip = makeTier('ip', 4, 60_000, false)
  const user = makeTier('user', 6, 60_000, false)
  const login = makeTier('login', 2, 60_000, false)
  const bulk = makeTier('bulk', 20, 60_000, false, 5)
  const T0 = 1_800_000_000_000
  const check = (tier: typeof ip, id: string, want = 1): Check => ({ tier, id, key: `${tier.name}:${id}`, want })
  // Request kinds of one batch: anonymous (one group), logged in (two), a rule keyed on the IP after the user (the
  // groups' order is not the checks' order), a lease, one check.
  const kinds = (i: number): { client: string | null, checks: Check[] } => {
    const a = `ip=10.0.0.${i % 5}`
    switch (i % 5) {
      case 0: return { client: `10.0.0.${i % 5}`, checks: [check(ip, a), check(user, a)] }
      case 1: return { client: `10.0.0.${i % 5}`, checks: [check(ip, a), check(user, `c:u${i % 2}`)] }
      case 2: return { client: null, checks: [check(ip, a), check(user, 'c:u1'), check(login, a)] }
      case 3: return { client: `10.0.0.${i % 5}`, checks: [check(bulk, 'c:u0', 5)] }
      default: return { client: `10.0.0.${i % 5}`, checks: [check(login, a)] }
    }
  }
  const seen: StoreResult[] = []
  for (let round = 0; round < 3; round++) {
    const reqs = Array.from({ length: 40 }, (_, i) => kinds(i))
    const fromRedis = await Promise.all(reqs.map(r => redis.consume(r.client, r.checks, T0 + round)))
    const fromMemory = reqs.map(r => memory.consume(r.client, r.checks, T0 + round))
    // A ban's time left comes from Redis' own clock (PTTL), not from the time handed in.
    const banned = (rs: StoreResult[]): unknown[] => rs.map(r => ({ ...r, bannedMs: r.bannedMs > 0 }))
    t.same(banned(fromRedis), banned(fromMemory), `round ${round + 1}: the same verdicts, results in check order, and bans`)
    seen.push(...fromRedis)
  }
  t.ok(seen.some(r => r.bannedMs > 0) && seen.some(r => r.allowed) && seen.some(r => !r.allowed && r.bannedMs === 0),
    'the batches held allowed, limited and banned requests')
})
