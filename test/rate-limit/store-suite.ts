// One conformance suite every rate-limit store runs (memory, Redis): GCRA semantics at the edges, all-or-nothing
// across tiers, dry run, bans. The clock is a number handed to `consume`, so no test sleeps.
import type { Test } from 'tap'
import { makeTier } from '../../src/plugins/rate-limit/tiers.js'
import type { BanPolicy, Check, RateLimitStore, Tier } from '../../src/plugins/rate-limit/types.js'

export type StoreFactory = (t: Test, ban: BanPolicy | null) => Promise<{ store: RateLimitStore }>

const T0 = 1_800_000_000_000

function check (tier: Tier, id: string, want = 1): Check {
  return { tier, id, key: `${tier.name}:${id}`, want }
}

async function take (store: RateLimitStore, client: string, checks: Check[], now: number): Promise<boolean> {
  return (await store.consume(client, checks, now)).allowed
}

export function storeSuite (t: Test, make: StoreFactory): void {
  t.test('admits exactly the limit in a burst, then one per interval', async t => {
    const { store } = await make(t, null)
    const tier = makeTier('ip', 5, 10_000, false)
    const c = [check(tier, 'a')]
    for (let i = 0; i < 5; i++) {
      const r = await store.consume('a', c, T0)
      t.equal(r.allowed, true, `request ${i + 1} allowed`)
      t.equal(r.results[0].remaining, 4 - i)
    }
    const denied = await store.consume('a', c, T0)
    t.equal(denied.allowed, false, '6th request in the same instant is limited')
    t.equal(denied.results[0].retryMs, 2000, 'retry when one unit is back (window / limit)')
    t.equal(denied.results[0].resetMs, 10_000, 'reset when the counter is full again')
    t.equal(await take(store, 'a', c, T0 + 1999), false, 'still limited 1 ms before the interval')
    t.equal(await take(store, 'a', c, T0 + 2000), true, 'one unit back after one interval')
    t.equal(await take(store, 'a', c, T0 + 2000), false, 'only one')
  })

  t.test('a burst at a window edge gains nothing', async t => {
    const { store } = await make(t, null)
    const tier = makeTier('ip', 10, 60_000, false)
    const c = [check(tier, 'edge')]
    // Fixed windows admit 2 × limit across an edge: 10 at 0:59.999 and 10 more at 1:00.000.
    let n = 0
    for (let i = 0; i < 20; i++) if (await take(store, 'edge', c, T0 + 59_999)) n++
    for (let i = 0; i < 20; i++) if (await take(store, 'edge', c, T0 + 60_000)) n++
    t.equal(n, 10, 'limit requests across the edge, not 2 × limit')
    // Any interval of length d admits at most limit + floor(d / interval).
    let later = 0
    for (let i = 0; i < 20; i++) if (await take(store, 'edge', c, T0 + 59_999 + 30_000)) later++
    t.equal(later, 5, 'half a window later, half the limit is back')
  })

  t.test('non-integer intervals still admit exactly the limit', async t => {
    const { store } = await make(t, null)
    const tier = makeTier('odd', 7, 60_000, false)
    const c = [check(tier, 'odd')]
    let n = 0
    for (let i = 0; i < 10; i++) if (await take(store, 'odd', c, T0)) n++
    t.equal(n, 7)
  })

  t.test('tiers are all or nothing; a rejected request takes nothing', async t => {
    const { store } = await make(t, null)
    const small = makeTier('login', 2, 60_000, false)
    const big = makeTier('ip', 100, 60_000, false)
    const c = [check(big, 'ip=1'), check(small, 'ip=1')]
    t.equal(await take(store, 'x', c, T0), true)
    t.equal(await take(store, 'x', c, T0), true)
    const r = await store.consume('x', c, T0)
    t.equal(r.allowed, false)
    t.equal(r.results[0].granted, 0, 'the tier that had room was not charged')
    t.equal(r.results[0].remaining, 98)
    t.equal(r.results[1].remaining, 0)
    t.ok(r.results[1].retryMs > 0)
    const only = await store.consume('x', [check(big, 'ip=1')], T0)
    t.equal(only.results[0].remaining, 97, 'the per-IP counter saw two requests, not three')
  })

  t.test('a dry-run tier never rejects and is not charged once empty', async t => {
    const { store } = await make(t, null)
    const dry = makeTier('dry', 1, 60_000, true)
    const real = makeTier('ip', 10, 60_000, false)
    const c = [check(real, 'same'), check(dry, 'same')]
    const first = await store.consume('y', c, T0)
    t.equal(first.allowed, true)
    t.equal(first.results[1].granted, 1)
    const second = await store.consume('y', c, T0)
    t.equal(second.allowed, true, 'allowed although the dry-run tier is empty')
    t.equal(second.results[1].granted, 0, 'the dry-run tier reports it would have limited')
    t.equal(second.results[0].remaining, 8)
  })

  t.test('leases take several units in one call, never more than available', async t => {
    const { store } = await make(t, null)
    const tier = makeTier('user', 10, 60_000, false, 4)
    const c = [check(tier, 'l', 4)]
    const grants: number[] = []
    for (let i = 0; i < 4; i++) grants.push((await store.consume('l', c, T0)).results[0].granted)
    t.same(grants, [4, 4, 2, 0])
  })

  t.test('bans: strikes within the period ban the client, then expire', async t => {
    const ban: BanPolicy = { strikes: 3, withinMs: 60_000, durationMs: 120_000 }
    const { store } = await make(t, ban)
    const tier = makeTier('ip', 1, 60_000, false)
    const c = [check(tier, 'b')]
    t.equal(await take(store, 'b', c, T0), true)
    const r1 = await store.consume('b', c, T0)
    t.equal(r1.banStartedMs, 0, 'strike 1')
    t.same(await store.strike('b', T0), { bannedMs: 0, banStartedMs: 0 }, 'strike 2 (decided locally)')
    const r3 = await store.consume('b', c, T0 + 10)
    t.equal(r3.banStartedMs, 120_000, 'strike 3 starts the ban')
    const banned = await store.consume('b', c, T0 + 70_000)
    t.ok(banned.bannedMs > 0, 'banned even though the counter has refilled')
    t.equal(banned.results.length, 0)
    t.ok((await store.strike('b', T0 + 70_000)).bannedMs > 0, 'strike reports the ban in force')
    t.equal(await take(store, 'other', [check(tier, 'o')], T0), true, 'other clients are not banned')
  })

  t.test('bans are listed and lifted (strikes too); an exempt request (client null) ignores them', async t => {
    const { store } = await make(t, { strikes: 1, withinMs: 60_000, durationMs: 120_000 })
    const tier = makeTier('ip', 1, 60_000, false)
    t.same(await store.listBans(T0, 10), { bans: [], truncated: false })
    await store.consume('192.0.2.1', [check(tier, 'x')], T0)
    t.equal((await store.consume('192.0.2.1', [check(tier, 'x')], T0)).banStartedMs, 120_000)
    await store.consume('192.0.2.2', [check(tier, 'y')], T0)
    await store.consume('192.0.2.2', [check(tier, 'y')], T0)
    const listed = await store.listBans(T0 + 1000, 10)
    t.same(listed.bans.map(b => b.client).sort(), ['192.0.2.1', '192.0.2.2'])
    t.ok(listed.bans.every(b => b.remainingMs > 100_000 && b.remainingMs <= 120_000), 'time left')
    t.equal((await store.listBans(T0 + 1000, 1)).truncated, true, 'capped at max')
    t.equal((await store.consume(null, [check(tier, 'x')], T0 + 70_000)).bannedMs, 0, 'exempt: the ban is not looked up')
    t.equal(await store.liftBan('192.0.2.1', T0 + 1000), true)
    t.equal(await store.liftBan('192.0.2.1', T0 + 1000), false, 'nothing left to lift')
    t.same((await store.listBans(T0 + 1000, 10)).bans.map(b => b.client), ['192.0.2.2'])
    const after = await store.consume('192.0.2.1', [check(tier, 'x')], T0 + 70_000)
    t.equal(after.bannedMs, 0, 'lifted')
  })

  t.test('concurrent calls (batched into one store call) are evaluated in arrival order', async t => {
    const { store } = await make(t, null)
    const tier = makeTier('ip', 10, 60_000, false)
    const other = makeTier('user', 3, 60_000, false)
    const calls = Array.from({ length: 150 }, (_, i) => store.consume(`c${i % 3}`, i % 3 === 0
      ? [check(tier, 'shared'), check(other, `u${i % 2}`)]
      : [check(tier, 'shared')], T0))
    const results = await Promise.all(calls)
    const allowed = results.map(r => r.allowed)
    t.equal(allowed.filter(Boolean).length, 10, 'exactly the limit of the shared counter')
    t.same(allowed.slice(0, 2), [true, true], 'first come, first served')
    const remaining = results.filter(r => r.allowed).map(r => r.results[0].remaining)
    t.same(remaining, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], 'each saw the counter left by the one before')
  })
}
