// Per-instance store: the `store: memory` choice, and the local fallback while Redis is down. Same GCRA and ban
// semantics as the Redis script, synchronous, bounded (least recently written counters dropped first).
import { BoundedMap } from './bounded-map.js'
import { available, retryAfter } from './gcra.js'
import type { BanPolicy, BanRecord, Check, CheckResult, RateLimitStore, StoreResult, StrikeResult } from './types.js'

const NO_BAN: StrikeResult = Object.freeze({ bannedMs: 0, banStartedMs: 0 })

interface Strikes { count: number, until: number }

// consume()'s per-check scratch (it never re-enters): grown to the most checks a request had, never shrunk.
const SCRATCH_ENTRIES: ({ value: number } | undefined)[] = []
const SCRATCH_TATS: number[] = []
const SCRATCH_AVAILS: number[] = []
/** In SCRATCH_AVAILS once a check's result is built: its counter is new and is inserted with SCRATCH_TATS[i]. */
const INSERT = -1

export class MemoryStore implements RateLimitStore {
  readonly #tats: BoundedMap<number>
  readonly #bans: BoundedMap<number>
  readonly #strikes: BoundedMap<Strikes>
  readonly #ban: BanPolicy | null

  constructor (opts: { maxKeys: number, ban: BanPolicy | null }) {
    this.#tats = new BoundedMap(opts.maxKeys, tat => tat)
    this.#bans = new BoundedMap(opts.maxKeys, until => until)
    this.#strikes = new BoundedMap(opts.maxKeys, s => s.until)
    this.#ban = opts.ban
  }

  consume (client: string | null, checks: readonly Check[], now: number): StoreResult {
    if (this.#ban !== null && client !== null) {
      const until = this.#bans.get(client)
      if (until !== undefined && until > now) return { allowed: false, bannedMs: until - now, banStartedMs: 0, results: [] }
    }
    const n = checks.length
    // Scratch space shared by every call (consume is synchronous): the counters found, looked up once per check.
    const found = SCRATCH_ENTRIES
    const tats = SCRATCH_TATS
    const avails = SCRATCH_AVAILS
    let allowed = true
    for (let i = 0; i < n; i++) {
      const { tier, key } = checks[i]
      const e = this.#tats.entry(key)
      found[i] = e
      const stored = e === undefined ? undefined : e.value
      const tat = stored === undefined || stored < now ? now : stored
      const avail = available(tat, now, tier.windowMs, tier.intervalMs)
      tats[i] = tat
      avails[i] = avail
      if (avail < 1 && !tier.dryRun) allowed = false
    }
    const results = new Array<CheckResult>(n)
    let inserts = false
    for (let i = 0; i < n; i++) {
      const { tier, want } = checks[i]
      let tat = tats[i]
      const avail = avails[i]
      const e = found[i]
      found[i] = undefined
      let granted = 0
      if (allowed && avail >= 1) {
        granted = Math.min(want, avail)
        tat += granted * tier.intervalMs
        if (e !== undefined) {
          e.value = tat
        } else {
          tats[i] = tat
          avails[i] = INSERT
          inserts = true
        }
      }
      const remaining = Math.max(0, avail - granted)
      results[i] = {
        granted,
        remaining,
        resetMs: Math.ceil(tat - now),
        retryMs: remaining >= 1 ? 0 : retryAfter(tat, now, tier.windowMs, tier.intervalMs)
      }
    }
    // New counters go in last: an insert into a full map may evict, and the entries updated in place above are
    // live by then (their TAT is ahead of now), so eviction passes them over.
    if (inserts) {
      for (let i = 0; i < n; i++) if (avails[i] === INSERT) this.#tats.set(checks[i].key, tats[i], now)
    }
    const banStartedMs = allowed ? 0 : this.strike(client, now).banStartedMs
    return { allowed, bannedMs: 0, banStartedMs, results }
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
