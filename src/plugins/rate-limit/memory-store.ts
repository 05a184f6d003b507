// Per-instance store: the `store: memory` choice, and the local fallback while Redis is down. Same GCRA and ban
// semantics as the Redis script, synchronous, bounded (least recently written ids dropped first).
import { BoundedMap } from './bounded-map.js'
import { CounterTable } from './counter-table.js'
import { available, retryAfter } from './gcra.js'
import type { BanPolicy, BanRecord, Check, CheckResult, RateLimitStore, StoreResult, StrikeResult } from './types.js'

const NO_BAN: StrikeResult = Object.freeze({ bannedMs: 0, banStartedMs: 0 })

interface Strikes { count: number, until: number }

// consume()'s per-check scratch (it never re-enters): grown to the most checks a request had, never shrunk.
const SCRATCH_ROWS: number[] = []
const SCRATCH_COLUMNS: number[] = []
const SCRATCH_TATS: number[] = []
const SCRATCH_AVAILS: number[] = []

export class MemoryStore implements RateLimitStore {
  /** The counters of each id (Check.id), one column per tier: tiers of one id share a row, as they share one key in
   * the Redis script, so an anonymous request's per-IP, per-user and IP-keyed rule counters cost one lookup.
   * `maxKeys` bounds the ids. */
  readonly #counters: CounterTable
  readonly #bans: BoundedMap<number>
  readonly #strikes: BoundedMap<Strikes>
  readonly #ban: BanPolicy | null

  constructor (opts: { maxKeys: number, ban: BanPolicy | null }) {
    this.#counters = new CounterTable(opts.maxKeys)
    this.#bans = new BoundedMap(opts.maxKeys, until => until)
    this.#strikes = new BoundedMap(opts.maxKeys, s => s.until)
    this.#ban = opts.ban
  }

  /** Ids holding counters (tests: bounded by maxKeys). */
  get ids (): number {
    return this.#counters.size
  }

  /** Ids with their TATs by tier (tests). */
  counters (): IterableIterator<[string, Record<string, number>]> {
    return this.#counters.entries()
  }

  consume (client: string | null, checks: readonly Check[], now: number): StoreResult {
    if (this.#ban !== null && client !== null) {
      const until = this.#bans.get(client)
      if (until !== undefined && until > now) return { allowed: false, bannedMs: until - now, banStartedMs: 0, results: [] }
    }
    const table = this.#counters
    const n = checks.length
    const rows = SCRATCH_ROWS
    const columns = SCRATCH_COLUMNS
    const tats = SCRATCH_TATS
    const avails = SCRATCH_AVAILS
    let allowed = true
    for (let i = 0; i < n; i++) {
      const { tier, id } = checks[i]
      // Checks of one id are usually next to each other (ip, then user for an anonymous client): one lookup.
      const row = i > 0 && checks[i - 1].id === id ? rows[i - 1] : table.row(id)
      rows[i] = row
      const column = table.column(tier.name)
      columns[i] = column
      const stored = row === -1 ? now : table.tat(row, column)
      // NaN (no counter for this tier yet) compares false: a fresh counter starts at now.
      const tat = stored >= now ? stored : now
      const avail = available(tat, now, tier.windowMs, tier.intervalMs)
      tats[i] = tat
      avails[i] = avail
      if (avail < 1 && !tier.dryRun) allowed = false
    }
    const results = new Array<CheckResult>(n)
    for (let i = 0; i < n; i++) {
      const { tier, id, want } = checks[i]
      let tat = tats[i]
      const avail = avails[i]
      let granted = 0
      if (allowed && avail >= 1) {
        granted = Math.min(want, avail)
        tat += granted * tier.intervalMs
        let row = rows[i]
        // The check of the same id before this one may have made the row.
        if (row === -1 && i > 0 && checks[i - 1].id === id) row = rows[i - 1]
        // A row found before may have gone to another id meanwhile (evicted for an id this request added); ids not
        // next to each other (rare: a user's rule keyed on the IP) find the row an earlier check made by a lookup.
        if (row === -1 || !table.holds(row, id)) {
          row = table.row(id)
          if (row === -1) row = table.add(id, now)
        }
        rows[i] = row
        table.setTat(row, columns[i], tat)
      }
      const remaining = Math.max(0, avail - granted)
      results[i] = {
        granted,
        remaining,
        resetMs: Math.ceil(tat - now),
        retryMs: remaining >= 1 ? 0 : retryAfter(tat, now, tier.windowMs, tier.intervalMs)
      }
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
