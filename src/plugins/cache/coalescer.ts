// Collapsed forwarding: the first miss of a key leads (goes to the origin), later misses wait for its entry.
// One promise and one timer per flight, not per waiter. A key whose response was not storable is remembered as
// hit-for-miss for a while, so its requests go to the origin in parallel instead of queueing behind each other.
// A lookup can take a Redis round trip, long enough for a whole flight to start and end meanwhile: the last entry
// of each key is kept briefly, and a miss whose lookup began before that flight settled takes it instead of
// leading a second origin request; so does a miss whose lookup failed (Redis timed out) while it is still fresh.
import type { CacheEntry } from './types.js'

export interface CoalescerOptions {
  /** Longest a waiter waits before it is released to go to the origin itself. */
  maxWait: number
  /** How long an uncacheable key skips coalescing. */
  hitForMiss: number
  /** Bound on remembered hit-for-miss keys. @default 10000 */
  maxPassKeys?: number
  /** Bound on recently settled entries kept for lookups still under way. @default 1024 */
  maxRecent?: number
  now?: () => number
}

interface Recent { entry: CacheEntry, seq: number, until: number }

class Flight {
  readonly promise: Promise<CacheEntry | null>
  resolve!: (entry: CacheEntry | null) => void
  waiters = 0
  readonly timer: NodeJS.Timeout

  constructor (maxWait: number, onTimeout: () => void) {
    this.promise = new Promise(resolve => { this.resolve = resolve })
    this.timer = setTimeout(onTimeout, maxWait)
    this.timer.unref()
  }
}

export class Coalescer {
  readonly #flights = new Map<string, Flight>()
  readonly #pass = new Map<string, number>()
  readonly #recent = new Map<string, Recent>()
  /** Counts settlements; a lookup notes it when it starts (`mark()`). */
  #seq = 0
  readonly #opts: Required<CoalescerOptions>

  constructor (opts: CoalescerOptions) {
    this.#opts = { maxPassKeys: 10_000, maxRecent: 1024, now: Date.now, ...opts }
  }

  /** Taken before a store lookup and handed to `join`: flights settled after it count for that lookup. */
  mark (): number { return this.#seq }

  get inFlight (): number { return this.#flights.size }

  /** True while the key is remembered as uncacheable. */
  isPass (key: string): boolean {
    if (this.#pass.size === 0) return false
    const until = this.#pass.get(key)
    if (until === undefined) return false
    if (until > this.#opts.now()) return true
    this.#pass.delete(key)
    return false
  }

  /** null: the caller leads and must call `settle(key, ...)`; a promise: wait for the leader's entry
   * (null = go to the origin yourself). `since`: the caller's `mark()` from before its store lookup; `fresh`: the
   * caller accepts any fresh entry (it sent no request directive that asks for more). */
  join (key: string, since = Infinity, fresh = false): Promise<CacheEntry | null> | null {
    const flight = this.#flights.get(key)
    if (flight === undefined) {
      const recent = this.#recent.size === 0 ? undefined : this.#recent.get(key)
      if (recent !== undefined) {
        const now = this.#opts.now()
        if (recent.until > now && (recent.seq > since || (fresh && recent.entry.freshUntil > now))) {
          return Promise.resolve(recent.entry)
        }
      }
      this.#flights.set(key, new Flight(this.#opts.maxWait, () => this.#release(key)))
      return null
    }
    flight.waiters++
    return flight.promise
  }

  /** Ends the flight: waiters get the entry, or null to go upstream; `pass` remembers the key as uncacheable. */
  settle (key: string, entry: CacheEntry | null, pass: boolean): void {
    if (pass && this.#opts.hitForMiss > 0) {
      if (this.#pass.size >= this.#opts.maxPassKeys) this.#pass.delete(this.#pass.keys().next().value as string)
      this.#pass.set(key, this.#opts.now() + this.#opts.hitForMiss)
    }
    const seq = ++this.#seq
    if (entry !== null) {
      // Kept as long as a waiter would have waited: a lookup slower than that goes to the origin anyway.
      this.#recent.delete(key)
      if (this.#recent.size >= this.#opts.maxRecent) this.#recent.delete(this.#recent.keys().next().value as string)
      this.#recent.set(key, { entry, seq, until: this.#opts.now() + this.#opts.maxWait })
    } else {
      this.#recent.delete(key)
    }
    const flight = this.#flights.get(key)
    if (flight === undefined) return
    this.#flights.delete(key)
    clearTimeout(flight.timer)
    flight.resolve(entry)
  }

  /** A purge makes every recently settled entry unusable. */
  forgetRecent (): void {
    this.#recent.clear()
  }

  #release (key: string): void {
    const flight = this.#flights.get(key)
    if (flight === undefined) return
    this.#flights.delete(key)
    clearTimeout(flight.timer)
    flight.resolve(null)
  }

  close (): void {
    for (const key of [...this.#flights.keys()]) this.#release(key)
    this.#recent.clear()
  }
}
