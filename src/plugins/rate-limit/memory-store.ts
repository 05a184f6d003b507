// Per-instance store: the `store: memory` choice, and the local fallback while Redis is down. Same GCRA and ban
// semantics as the Redis script, synchronous, bounded (least recently written ids dropped first).
import { BoundedMap } from './bounded-map.js'
import { available, retryAfter } from './gcra.js'
import type { BanPolicy, BanRecord, Check, CheckResult, RateLimitStore, StoreResult, StrikeResult } from './types.js'

const NO_BAN: StrikeResult = Object.freeze({ bannedMs: 0, banStartedMs: 0 })

interface Strikes { count: number, until: number }

/**
 * The counters of one id (Check.id), one per tier it drew from: tiers of one id share one entry, as they share one
 * key in the Redis script, so an anonymous request's per-IP, per-user and IP-keyed rule counters cost one lookup.
 * `tats[i]` is the TAT of tier `names[i]` (a tier's name is unique among the tiers of a config).
 */
class Counters {
  readonly names: string[]
  readonly tats: number[]
  /** The latest TAT: when every counter of the id is full again (eviction prefers ids past it). */
  until: number

  constructor (name: string, tat: number) {
    this.names = [name]
    this.tats = [tat]
    this.until = tat
  }

  /** Index of the tier's counter, -1 when the id has none for it. */
  indexOf (name: string): number {
    const names = this.names
    for (let i = 0; i < names.length; i++) if (names[i] === name) return i
    return -1
  }
}

// consume()'s per-check scratch (it never re-enters): grown to the most checks a request had, never shrunk.
const SCRATCH_COUNTERS: (Counters | undefined)[] = []
const SCRATCH_SLOTS: number[] = []
const SCRATCH_TATS: number[] = []
const SCRATCH_AVAILS: number[] = []

export class MemoryStore implements RateLimitStore {
  /** Counters by id; `maxKeys` bounds the ids (each holds one counter per tier it drew from). */
  readonly #counters: BoundedMap<Counters>
  readonly #bans: BoundedMap<number>
  readonly #strikes: BoundedMap<Strikes>
  readonly #ban: BanPolicy | null

  constructor (opts: { maxKeys: number, ban: BanPolicy | null }) {
    this.#counters = new BoundedMap(opts.maxKeys, c => c.until)
    this.#bans = new BoundedMap(opts.maxKeys, until => until)
    this.#strikes = new BoundedMap(opts.maxKeys, s => s.until)
    this.#ban = opts.ban
  }

  /** Ids holding counters (tests: bounded by maxKeys). */
  get ids (): number {
    return this.#counters.size
  }

  consume (client: string | null, checks: readonly Check[], now: number): StoreResult {
    if (this.#ban !== null && client !== null) {
      const until = this.#bans.get(client)
      if (until !== undefined && until > now) return { allowed: false, bannedMs: until - now, banStartedMs: 0, results: [] }
    }
    const n = checks.length
    const found = SCRATCH_COUNTERS
    const slots = SCRATCH_SLOTS
    const tats = SCRATCH_TATS
    const avails = SCRATCH_AVAILS
    let allowed = true
    for (let i = 0; i < n; i++) {
      const { tier, id } = checks[i]
      // Checks of one id are usually next to each other (ip, then user for an anonymous client): one lookup.
      const c = i > 0 && checks[i - 1].id === id ? found[i - 1] : this.#counters.get(id)
      found[i] = c
      const slot = c === undefined ? -1 : c.indexOf(tier.name)
      slots[i] = slot
      const stored = slot === -1 ? now : (c as Counters).tats[slot]
      const tat = stored < now ? now : stored
      const avail = available(tat, now, tier.windowMs, tier.intervalMs)
      tats[i] = tat
      avails[i] = avail
      if (avail < 1 && !tier.dryRun) allowed = false
    }
    const results = new Array<CheckResult>(n)
    for (let i = 0; i < n; i++) {
      const { tier, want } = checks[i]
      let tat = tats[i]
      const avail = avails[i]
      let granted = 0
      if (allowed && avail >= 1) {
        granted = Math.min(want, avail)
        tat += granted * tier.intervalMs
        this.#write(checks, found, slots, i, tat, now)
      }
      const remaining = Math.max(0, avail - granted)
      results[i] = {
        granted,
        remaining,
        resetMs: Math.ceil(tat - now),
        retryMs: remaining >= 1 ? 0 : retryAfter(tat, now, tier.windowMs, tier.intervalMs)
      }
    }
    for (let i = 0; i < n; i++) found[i] = undefined
    const banStartedMs = allowed ? 0 : this.strike(client, now).banStartedMs
    return { allowed, bannedMs: 0, banStartedMs, results }
  }

  /** Stores check i's new TAT: in the id's entry found by consume (or made by the check of the same id before it),
   * else in a new entry. */
  #write (checks: readonly Check[], found: (Counters | undefined)[], slots: number[], i: number, tat: number, now: number): void {
    const { tier, id } = checks[i]
    let c = found[i]
    if (c === undefined && i > 0 && checks[i - 1].id === id) c = found[i - 1]
    // Ids not next to each other (rare: a user's rule keyed on the IP) find the entry an earlier check made.
    c ??= this.#counters.get(id)
    if (c === undefined) {
      found[i] = new Counters(tier.name, tat)
      this.#counters.set(id, found[i] as Counters, now)
      return
    }
    found[i] = c
    const slot = slots[i] !== -1 && c.names[slots[i]] === tier.name ? slots[i] : c.indexOf(tier.name)
    if (slot === -1) {
      c.names.push(tier.name)
      c.tats.push(tat)
    } else {
      c.tats[slot] = tat
    }
    if (tat > c.until) c.until = tat
  }

  strike (client: string | null, now: number): StrikeResult {
    const ban = this.#ban
    if (ban === null || client === null) return NO_BAN
    const until = this.#bans.get(client)
    if (until !== undefined && until > now) return { bannedMs: until - now, banStartedMs: 0 }
    let s = this.#strikes.get(client)
    if (s === undefined || s.until <= now) {
      s = { count: 0, until: now + ban.withinMs }
      this.#strikes.set(client, s, now)
    }
    if (++s.count < ban.strikes) return NO_BAN
    this.#strikes.delete(client)
    this.#bans.set(client, now + ban.durationMs, now)
    return { bannedMs: 0, banStartedMs: ban.durationMs }
  }

  listBans (now: number, max: number): { bans: BanRecord[], truncated: boolean } {
    const bans: BanRecord[] = []
    let truncated = false
    for (const [client, until] of this.#bans.entries()) {
      if (until <= now) continue
      if (bans.length === max) { truncated = true; break }
      bans.push({ client, remainingMs: until - now })
    }
    return { bans, truncated }
  }

  liftBan (client: string, now: number): boolean {
    const until = this.#bans.get(client)
    this.#bans.delete(client)
    this.#strikes.delete(client)
    return until !== undefined && until > now
  }
}
