import t from '../helpers/cases.js'
import { Redis } from 'ioredis'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { RedisStore } from '../../src/plugins/rate-limit/redis-store.js'
import { storeSuite } from './store-suite.js'
import { counterFields } from './fixtures.js'
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

t.test('a ban is marked in the client\'s counter key: seen with its GET, lifted with the ban key, counters kept', async t => {
  if (!await requireRedis(t)) return
  const { makeTier } = await import('../../src/plugins/rate-limit/tiers.js')
  const client = new Redis(REDIS_URL, { enableOfflineQueue: true })
  const prefix = uniquePrefix('rl-redis-mark')
  t.after(async () => { await cleanup(client, prefix); await client.quit() })
  const p = `${prefix}rl:`
  const store = new RedisStore({ client, prefix: p, ban: { strikes: 1, withinMs: 60_000, durationMs: 120_000 } })
  const ip = makeTier('ip', 1, 60_000, false)
  const user = makeTier('user', 10, 60_000, false)
  const T0 = 1_800_000_000_000
  const anon = (c: string): Check[] => [{ tier: ip, id: `ip=${c}`, key: `ip:${c}`, want: 1 }, { tier: user, id: `ip=${c}`, key: `user:${c}`, want: 1 }]
  const userOnly = (u: string): Check[] => [{ tier: user, id: `c:${u}`, key: `user:${u}`, want: 1 }]

  // Banned by a request of its own counter group: the mark sits next to the counters.
  t.equal((await store.consume('10.1.0.1', anon('10.1.0.1'), T0)).allowed, true)
  const started = await store.consume('10.1.0.1', anon('10.1.0.1'), T0 + 1)
  t.match(started, { allowed: false, banStartedMs: 120_000 }, 'the rejection starts a ban')
  t.match(await counterFields(client, `${p}k:ip=10.1.0.1`), { '!': 1_800_000_120_001, ip: 1_800_000_060_000, user: 1_800_000_006_000 }, 'the ban\'s end is marked in the counter key, next to the counters')
  t.ok(await client.pttl(`${p}k:ip=10.1.0.1`) > 60_000, 'the counter key lives as long as the ban')
  t.ok((await store.consume('10.1.0.1', anon('10.1.0.1'), T0 + 2)).bannedMs > 0, 'the next request is banned')

  // Lifted: the ban key is the record; the stale mark is ignored and the counters are still there.
  t.equal(await store.liftBan('10.1.0.1', T0 + 3), true)
  const after = await store.consume('10.1.0.1', anon('10.1.0.1'), T0 + 4)
  t.match(after, { allowed: false, bannedMs: 0 }, 'not banned any more, still limited by its counter')
  t.equal(after.results[1].remaining, 9, 'the user tier kept its count')

  // Banned by a request without the client's own group (a user-only check), or by a locally decided strike: the
  // mark is written there too, so an anonymous request from that client sees the ban.
  const u = await store.consume('10.1.0.2', userOnly('u2'), T0)
  t.equal(u.allowed, true)
  for (let i = 0; i < 10; i++) await store.consume('10.1.0.2', userOnly('u2'), T0 + 1)
  t.ok((await client.pttl(`${p}ban:10.1.0.2`)) > 0, 'banned through the user counter')
  t.ok((await store.consume('10.1.0.2', anon('10.1.0.2'), T0 + 2)).bannedMs > 0, 'its anonymous request is banned')
  t.same(await store.strike('10.1.0.3', T0), { bannedMs: 0, banStartedMs: 120_000 }, 'a strike decided locally starts a ban')
  t.ok((await store.consume('10.1.0.3', anon('10.1.0.3'), T0 + 1)).bannedMs > 0, 'seen by the counter group')

  // An exempt request (client null) ignores the mark.
  t.equal((await store.consume(null, anon('10.1.0.3'), T0 + 2)).bannedMs, 0, 'exempt: no ban looked up')
})

t.test('batch times that are not whole ms go unpacked and answer the same', async t => {
  if (!await requireRedis(t)) return
  const { makeTier } = await import('../../src/plugins/rate-limit/tiers.js')
  const client = new Redis(REDIS_URL, { enableOfflineQueue: true })
  const prefix = uniquePrefix('rl-redis-frac')
  t.after(async () => { await cleanup(client, prefix); await client.quit() })
  const store = new RedisStore({ client, prefix: `${prefix}rl:`, ban: null })
  const ip = makeTier('ip', 3, 1000, false)
  const checks = (c: string): Check[] => [{ tier: ip, id: `ip=${c}`, key: `ip:${c}`, want: 1 }]
  const T0 = 1_800_000_000_000.25
  const rs = await Promise.all([0, 1, 2, 3].map(i => store.consume('10.2.0.1', checks('10.2.0.1'), T0 + i * 0.5)))
  t.same(rs.map(r => r.allowed), [true, true, true, false], 'the fourth within the window is limited')
  t.same(rs.map(r => r.results[0].remaining), [2, 1, 0, 0])
  t.ok(rs[3].results[0].retryMs > 0, 'with a retry time')
  const tat = (await counterFields(client, `${prefix}rl:k:ip=10.2.0.1`))?.ip ?? NaN
  t.ok(Math.abs(tat - (T0 + 1000)) < 1e-3 && !Number.isInteger(tat), `the TAT keeps its fraction (${tat})`)
})

t.test('a counter key in the text form of earlier versions is read, and rewritten packed', async t => {
  if (!await requireRedis(t)) return
  const { makeTier } = await import('../../src/plugins/rate-limit/tiers.js')
  const client = new Redis(REDIS_URL, { enableOfflineQueue: true })
  const prefix = uniquePrefix('rl-redis-legacy')
  t.after(async () => { await cleanup(client, prefix); await client.quit() })
  const store = new RedisStore({ client, prefix: `${prefix}rl:`, ban: { strikes: 5, withinMs: 60_000, durationMs: 60_000 } })
  const ip = makeTier('ip', 10, 10_000, false)
  const user = makeTier('user', 100, 100_000, false)
  const T0 = 1_800_000_000_000
  const key = `${prefix}rl:k:ip=10.3.0.1`
  // 4 of ip's 10 and 10 of user's 100 already taken (TATs ahead of now by 4 and 10 intervals).
  await client.set(key, `ip=${T0 + 4000},user=${T0 + 10_000.5}`, 'PX', 60_000)
  const r = await store.consume('10.3.0.1', [{ tier: ip, id: 'ip=10.3.0.1', key: 'ip', want: 1 }, { tier: user, id: 'ip=10.3.0.1', key: 'user', want: 1 }], T0)
  t.same(r.results.map(x => x.remaining), [5, 88], 'the old counters count')
  t.same(await counterFields(client, key), { ip: T0 + 5000, user: T0 + 11_000.5 }, 'written back as a map')
})

t.test('requests arriving while a call is out share the next call; a server without the script gets EVAL', async t => {
  const { freePort, startRedis, stop } = await import('./redis-server.js')
  const { makeTier } = await import('../../src/plugins/rate-limit/tiers.js')
  const port = await freePort()
  const server = await startRedis(port)
  const client = new Redis({ port, host: '127.0.0.1', enableOfflineQueue: true, maxRetriesPerRequest: 1 })
  const admin = new Redis({ port, host: '127.0.0.1' })
  t.after(async () => { client.disconnect(); admin.disconnect(); await stop(server) })
  const calls = async (): Promise<number> => {
    const info = await admin.info('commandstats')
    let n = 0
    for (const m of info.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)) n += Number(m[1])
    return n
  }
  const store = new RedisStore({ client, prefix: 'rl-batch:rl:', ban: null })
  const ip = makeTier('ip', 100, 60_000, false)
  const checks = (c: string): Check[] => [{ tier: ip, id: `ip=${c}`, key: `ip:${c}`, want: 1 }]
  const T0 = 1_800_000_000_000
  // Loads the script (a fresh server answers the first EVALSHA with NOSCRIPT, then gets EVAL).
  await store.consume('10.4.0.9', checks('10.4.0.9'), T0)
  const before = await calls()
  const turn = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }
  // Frozen, the server holds the first request's call (written on the next turn) unanswered.
  server.kill('SIGSTOP')
  const first = store.consume('10.4.0.1', checks('10.4.0.1'), T0)
  await turn()
  const later = [store.consume('10.4.0.2', checks('10.4.0.2'), T0)]
  await turn()
  later.push(store.consume('10.4.0.3', checks('10.4.0.3'), T0))
  await turn()
  later.push(store.consume('10.4.0.4', checks('10.4.0.4'), T0))
  await turn()
  server.kill('SIGCONT')
  const rs = await Promise.all([first, ...later])
  t.same(rs.map(r => [r.allowed, r.results[0].remaining]), [[true, 99], [true, 99], [true, 99], [true, 99]],
    'all answered')
  const made = await calls() - before
  t.equal(made, 2, `the three that arrived while the first call was out went in one call (calls: ${made})`)

  await admin.script('FLUSH')
  const again = await store.consume('10.4.0.1', checks('10.4.0.1'), T0 + 1)
  t.same([again.allowed, again.results[0].remaining], [true, 98], 'after SCRIPT FLUSH the call falls back to EVAL')
})
