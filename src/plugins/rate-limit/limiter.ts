// The decision engine, independent of Fastify: asks the shared store (Redis) once per request, and avoids even
// that where the answer is already known locally:
// - a client banned (as last seen from the store) is rejected without asking for BAN_RECHECK_MS at a time, so a
//   ban lifted on another instance or from the CLI ends here too within that time;
// - a counter the store reported empty is rejected until its next unit is due (no other instance can refill it,
//   so this is exact, and it keeps a flood cheap: one store call per counter per interval, not per request);
// - with leasing, units reserved in an earlier call are spent locally.
// When the store fails or is not connected, the request is decided by the per-instance memory store (or 503 when
// failing closed) and the store is probed again by one request at a time, so no request waits on a dead Redis
// longer than one `redis.commandTimeout`, and most don't wait at all.
import { BoundedMap } from './bounded-map.js'
import type { MemoryStore } from './memory-store.js'
import type { Check, CheckResult, RateLimitStore, StoreResult, StrikeResult } from './types.js'

/** How long units reserved by a lease may be spent locally before they are dropped (bounds how late they land). */
export const LEASE_LIFETIME_MS = 1000
/** How long a ban seen in the store is answered locally before the store is asked again (a lifted ban then ends
 * on every instance within this time; a banned client costs one store call per this interval and instance). */
export const BAN_RECHECK_MS = 5000
/** While the store is down, how often one request may try it again. */
export const PROBE_INTERVAL_MS = 1000

export type Verdict = 'allowed' | 'limited' | 'banned' | 'unavailable'

export interface Decision {
  verdict: Verdict
  /** For limited and banned: ms until the client may retry. */
  retryMs: number
  /** One per check; null where unknown (decided without the store). */
  results: (CheckResult | null)[]
  /** Decided by the per-instance fallback because the shared store is down. */
  fallback: boolean
}

interface Lease { units: number, remaining: number, resetMs: number, until: number }
/** A ban as last seen from the store: in force until `until`, asked again from `recheck`. */
interface BanMemo { until: number, recheck: number }

export interface LimiterOptions {
  /** Shared store, or null when the memory store is the store. */
  shared: RateLimitStore | null
  /** Whether the shared store's connection is up (false: don't even try). */
  sharedReady: () => boolean
  local: MemoryStore
  failClosed: boolean
  bans: boolean
  maxKeys: number
  onOutage: (err: Error) => void
  onRecover: () => void
}

export class Limiter {
  readonly #shared: RateLimitStore | null
  readonly #sharedReady: () => boolean
  readonly #local: MemoryStore
  readonly #failClosed: boolean
  readonly #bans: boolean
  readonly #blocked: BoundedMap<number>
  readonly #banned: BoundedMap<BanMemo>
  readonly #leases: BoundedMap<Lease>
  /** Keys with a chunk request in flight: concurrent requests ask for one unit, so an instance never holds more
   * than about one chunk it may not use. Bounded by the requests in flight. */
  readonly #asking = new Set<string>()
  readonly #onOutage: (err: Error) => void
  readonly #onRecover: () => void
  #degraded = false
  #probing = false
  #probeAt = 0

  constructor (opts: LimiterOptions) {
    this.#shared = opts.shared
    this.#sharedReady = opts.sharedReady
    this.#local = opts.local
    this.#failClosed = opts.failClosed
    this.#bans = opts.bans
    this.#blocked = new BoundedMap(opts.maxKeys, until => until)
    this.#banned = new BoundedMap(opts.maxKeys, m => m.recheck)
    this.#leases = new BoundedMap(opts.maxKeys, l => l.until)
    this.#onOutage = opts.onOutage
    this.#onRecover = opts.onRecover
  }

  get degraded (): boolean {
    return this.#degraded
  }

  /** The store's connection is (back) up: let the next request probe it at once. */
  sharedUp (): void {
    this.#probeAt = 0
  }

  /** Forgets what this instance remembers of the client's ban (it was lifted). */
  forgetBan (client: string): void {
    this.#banned.delete(client)
  }

  /** `client`: whom bans apply to; null when the request is exempt from bans (`bans.exempt`). */
  decide (client: string | null, checks: Check[], now: number): Decision | Promise<Decision> {
    const shared = this.#shared
    if (shared === null) return fromStore(this.#local.consume(client, checks, now), checks, false)

    if (this.#bans && client !== null) {
      const m = this.#banned.get(client)
      if (m !== undefined && m.until > now && m.recheck > now) return { verdict: 'banned', retryMs: m.until - now, results: [], fallback: false }
    }

    const n = checks.length
    let blockedMs = 0
    let results: (CheckResult | null)[] | null = null
    let leased = 0
    for (let i = 0; i < n; i++) {
      const c = checks[i]
      if (c.tier.dryRun) continue
      const until = this.#blocked.get(c.key)
      if (until !== undefined && until > now) {
        results ??= new Array<CheckResult | null>(n).fill(null)
        results[i] = { granted: 0, remaining: 0, resetMs: until - now, retryMs: until - now }
        if (until - now > blockedMs) blockedMs = until - now
      } else if (c.tier.lease > 1) {
        const l = this.#leases.get(c.key)
        if (l !== undefined && l.units >= 1 && l.until > now) leased++
      }
    }
    if (results !== null) return this.#rejectLocally(client, results, blockedMs, now)
    if (leased === n) return this.#spendLeases(checks, now)

    if (this.#degraded) {
      if (this.#probing || now < this.#probeAt || !this.#sharedReady()) return this.#fallback(client, checks, now)
      this.#probing = true
    } else if (!this.#sharedReady()) {
      this.#outage(new Error('not connected'), now)
      return this.#fallback(client, checks, now)
    }

    // Checks holding a lease take their unit now (so concurrent requests can't spend it twice) and give it back
    // if the store rejects the request; the rest go to the store (leasing ones ask for a chunk).
    let ask = checks
    let held: (Lease | undefined)[] | null = null
    let map: number[] | null = null
    if (leased > 0) {
      ask = []
      map = []
      held = new Array<Lease | undefined>(n)
      for (let i = 0; i < n; i++) {
        const c = checks[i]
        const l = c.tier.lease > 1 ? this.#leases.get(c.key) : undefined
        if (l !== undefined && l.units >= 1 && l.until > now) {
          l.units--
          held[i] = l
          continue
        }
        ask.push(c)
        map.push(i)
      }
    }
    let asking: string[] | null = null
    for (let i = 0; i < ask.length; i++) {
      const c = ask[i]
      if (c.tier.lease > 1 && !this.#asking.has(c.key)) {
        c.want = c.tier.lease
        this.#asking.add(c.key)
        ;(asking ??= []).push(c.key)
      } else {
        c.want = 1
      }
    }

    let pending: Promise<StoreResult>
    try {
      pending = Promise.resolve(shared.consume(client, ask, now))
    } catch (err) {
      pending = Promise.reject(err)
    }
    return pending.then(
      r => {
        if (asking !== null) for (const k of asking) this.#asking.delete(k)
        return this.#fromShared(client, checks, map, held, r, now)
      },
      (err: Error) => {
        if (asking !== null) for (const k of asking) this.#asking.delete(k)
        giveBack(held)
        this.#outage(err, now)
        return this.#fallback(client, checks, now)
      }
    )
  }

  #fromShared (client: string | null, checks: Check[], map: number[] | null, held: (Lease | undefined)[] | null, r: StoreResult, now: number): Decision {
    if (this.#probing) this.#probing = false
    if (this.#degraded) {
      this.#degraded = false
      this.#onRecover()
    }
    if (!r.allowed) giveBack(held)
    if (r.bannedMs > 0 || r.banStartedMs > 0) {
      const ms = r.bannedMs > 0 ? r.bannedMs : r.banStartedMs
      if (client !== null) this.#remember(client, ms, now)
      if (r.bannedMs > 0) return { verdict: 'banned', retryMs: ms, results: [], fallback: false }
    }
    const n = checks.length
    const results = new Array<CheckResult | null>(n)
    for (let j = 0; j < r.results.length; j++) {
      const i = map === null ? j : map[j]
      let res = r.results[j]
      const c = checks[i]
      if (c.tier.lease > 1 && res.granted > 1) {
        // This request takes one unit; the rest joins the instance's lease (concurrent requests may each have
        // asked for a chunk: none of it is lost).
        const extra = res.granted - 1
        let l = this.#leases.get(c.key)
        if (l !== undefined && l.until > now) {
          l.units += extra
          l.remaining = res.remaining
          l.resetMs = res.resetMs
          l.until = now + LEASE_LIFETIME_MS
        } else {
          l = { units: extra, remaining: res.remaining, resetMs: res.resetMs, until: now + LEASE_LIFETIME_MS }
          this.#leases.set(c.key, l, now)
        }
        res = { granted: 1, remaining: res.remaining + l.units, resetMs: res.resetMs, retryMs: 0 }
      } else if (res.retryMs > 0 && !c.tier.dryRun) {
        this.#blocked.set(c.key, now + res.retryMs, now)
      }
      results[i] = res
    }
    if (held !== null) {
      for (let i = 0; i < n; i++) {
        const l = held[i]
        if (l !== undefined) results[i] = leaseResult(l, r.allowed, now)
      }
    }
    if (r.allowed) return { verdict: 'allowed', retryMs: 0, results, fallback: false }
    return { verdict: 'limited', retryMs: maxRetry(checks, results), results, fallback: false }
  }

  #spendLeases (checks: Check[], now: number): Decision {
    const results = new Array<CheckResult | null>(checks.length)
    for (let i = 0; i < checks.length; i++) {
      const l = this.#leases.get(checks[i].key) as Lease
      l.units--
      results[i] = leaseResult(l, true, now)
    }
    return { verdict: 'allowed', retryMs: 0, results, fallback: false }
  }

  #remember (client: string, ms: number, now: number): void {
    this.#banned.set(client, { until: now + ms, recheck: now + Math.min(ms, BAN_RECHECK_MS) }, now)
  }

  #rejectLocally (client: string | null, results: (CheckResult | null)[], retryMs: number, now: number): Decision | Promise<Decision> {
    const limited: Decision = { verdict: 'limited', retryMs, results, fallback: false }
    if (!this.#bans || client === null) return limited
    if (this.#degraded) {
      const s = this.#local.strike(client, now)
      return this.#afterStrike(client, s, limited, now)
    }
    // The strike counts in the store, so bans escalate on every instance. Awaited (latency, not CPU): a client
    // already banned elsewhere gets its 403 now, and once banned here it costs nothing more.
    let pending: Promise<StrikeResult>
    try {
      pending = Promise.resolve((this.#shared as RateLimitStore).strike(client, now))
    } catch (err) {
      pending = Promise.reject(err)
    }
    return pending.then(s => this.#afterStrike(client, s, limited, now), () => limited)
  }

  #afterStrike (client: string, s: StrikeResult, limited: Decision, now: number): Decision {
    if (s.bannedMs > 0) {
      this.#remember(client, s.bannedMs, now)
      return { verdict: 'banned', retryMs: s.bannedMs, results: [], fallback: limited.fallback }
    }
    if (s.banStartedMs > 0) this.#remember(client, s.banStartedMs, now)
    return limited
  }

  #fallback (client: string | null, checks: Check[], now: number): Decision {
    if (this.#failClosed) return { verdict: 'unavailable', retryMs: 0, results: [], fallback: true }
    for (let i = 0; i < checks.length; i++) checks[i].want = 1
    return fromStore(this.#local.consume(client, checks, now), checks, true)
  }

  #outage (err: Error, now: number): void {
    this.#probing = false
    this.#probeAt = now + PROBE_INTERVAL_MS
    if (this.#degraded) return
    this.#degraded = true
    // Local knowledge from the store may be stale when it comes back (another instance's view moved on).
    this.#blocked.clear()
    this.#leases.clear()
    this.#onOutage(err)
  }
}

/** Returns the units reserved from leases for a request the store rejected (or could not answer). */
function giveBack (held: (Lease | undefined)[] | null): void {
  if (held === null) return
  for (const l of held) if (l !== undefined) l.units++
}

function leaseResult (l: Lease, allowed: boolean, now: number): CheckResult {
  return { granted: allowed ? 1 : 0, remaining: l.units + l.remaining, resetMs: Math.max(0, l.resetMs - (now - (l.until - LEASE_LIFETIME_MS))), retryMs: 0 }
}

function fromStore (r: StoreResult, checks: readonly Check[], fallback: boolean): Decision {
  if (r.bannedMs > 0) return { verdict: 'banned', retryMs: r.bannedMs, results: [], fallback }
  if (r.allowed) return { verdict: 'allowed', retryMs: 0, results: r.results, fallback }
  return { verdict: 'limited', retryMs: maxRetry(checks, r.results), results: r.results, fallback }
}

/** Longest wait among the enforced checks that rejected: the client must wait for all of them. */
export function maxRetry (checks: readonly Check[], results: readonly (CheckResult | null)[]): number {
  let ms = 0
  for (let i = 0; i < checks.length; i++) {
    const r = results[i]
    if (r !== null && r !== undefined && !checks[i].tier.dryRun && r.granted === 0 && r.remaining === 0 && r.retryMs > ms) ms = r.retryMs
  }
  return ms
}
