// A ban this instance saw in the shared store is answered locally, but only for BAN_RECHECK_MS at a time: a ban
// lifted elsewhere (another instance's admin API, `sipup-sidecar limits unban`) ends here too, without a restart.
import t from '../helpers/cases.js'
import { BAN_RECHECK_MS, Limiter } from '../../src/plugins/rate-limit/limiter.js'
import { MemoryStore } from '../../src/plugins/rate-limit/memory-store.js'
import { makeTier } from '../../src/plugins/rate-limit/tiers.js'
import type { Check, RateLimitStore, StoreResult } from '../../src/plugins/rate-limit/types.js'

const T0 = 1_800_000_000_000
const HOUR = 3_600_000

/** A shared store whose ban the test lifts by hand, counting the calls that reach it. */
function fakeShared (): { store: RateLimitStore, lift: () => void, calls: () => number } {
  let bannedUntil = T0 + HOUR
  let calls = 0
  const store: RateLimitStore = {
    consume (_client, checks: readonly Check[], now): StoreResult {
      calls++
      if (bannedUntil > now) return { allowed: false, bannedMs: bannedUntil - now, banStartedMs: 0, results: [] }
      return { allowed: true, bannedMs: 0, banStartedMs: 0, results: checks.map(() => ({ granted: 1, remaining: 9, resetMs: 1000, retryMs: 0 })) }
    },
    strike: () => ({ bannedMs: 0, banStartedMs: 0 }),
    listBans: () => ({ bans: [], truncated: false }),
    liftBan: () => false
  }
  return { store, lift: () => { bannedUntil = 0 }, calls: () => calls }
}

function limiterWith (shared: RateLimitStore): Limiter {
  return new Limiter({
    shared,
    sharedReady: () => true,
    local: new MemoryStore({ maxKeys: 100, ban: { strikes: 1, withinMs: 60_000, durationMs: HOUR } }),
    failClosed: false,
    bans: true,
    maxKeys: 100,
    onOutage: () => {},
    onRecover: () => {}
  })
}

const tier = makeTier('ip', 10, 60_000, false)
const checks = (): Check[] => [{ tier, id: 'ip=192.0.2.1', key: 'ip:ip=192.0.2.1', want: 1 }]

t.test('a ban lifted in the shared store ends here within BAN_RECHECK_MS', async t => {
  const shared = fakeShared()
  const limiter = limiterWith(shared.store)
  t.equal((await limiter.decide('192.0.2.1', checks(), T0)).verdict, 'banned')
  t.equal((await limiter.decide('192.0.2.1', checks(), T0 + 1000)).verdict, 'banned', 'answered locally')
  t.equal(shared.calls(), 1, 'without asking the store again')
  shared.lift()
  t.equal((await limiter.decide('192.0.2.1', checks(), T0 + BAN_RECHECK_MS - 1)).verdict, 'banned', 'still remembered')
  const d = await limiter.decide('192.0.2.1', checks(), T0 + BAN_RECHECK_MS)
  t.equal(d.verdict, 'allowed', 'asked again after the recheck interval: the ban is gone')
  t.equal(shared.calls(), 2)
})

t.test('a still-banned client costs one store call per recheck interval, and keeps its full Retry-After', async t => {
  const shared = fakeShared()
  const limiter = limiterWith(shared.store)
  for (let ms = 0; ms < 3 * BAN_RECHECK_MS; ms += 250) {
    const d = await limiter.decide('192.0.2.1', checks(), T0 + ms)
    t.equal(d.verdict, 'banned')
    t.equal(d.retryMs, HOUR - ms)
  }
  t.equal(shared.calls(), 3)
})

t.test('forgetBan: the instance that lifted the ban stops refusing at once', async t => {
  const shared = fakeShared()
  const limiter = limiterWith(shared.store)
  t.equal((await limiter.decide('192.0.2.1', checks(), T0)).verdict, 'banned')
  shared.lift()
  limiter.forgetBan('192.0.2.1')
  t.equal((await limiter.decide('192.0.2.1', checks(), T0 + 1)).verdict, 'allowed')
})

t.test('an exempt request (client null) never reads or makes a ban', async t => {
  const shared = fakeShared()
  const limiter = limiterWith(shared.store)
  t.equal((await limiter.decide('192.0.2.1', checks(), T0)).verdict, 'banned')
  t.equal((await limiter.decide(null, checks(), T0 + 1)).verdict, 'banned', 'the fake store bans everyone: the limiter asks it')
  t.equal(shared.calls(), 2, 'no local ban answer for an exempt request')
})
