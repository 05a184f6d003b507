// Collapsed forwarding: the first miss of a key leads (goes to the origin), later misses wait for its entry.
// One promise and one timer per flight, not per waiter. A key whose response was not storable is remembered as
// hit-for-miss for a while, so its requests go to the origin in parallel instead of queueing behind each other.
import type { CacheEntry } from './types.js'

export interface CoalescerOptions {
  /** Longest a waiter waits before it is released to go to the origin itself. */
  maxWait: number
  /** How long an uncacheable key skips coalescing. */
  hitForMiss: number
  /** Bound on remembered hit-for-miss keys. @default 10000 */
  maxPassKeys?: number
  now?: () => number
}

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
  readonly #opts: Required<CoalescerOptions>

  constructor (opts: CoalescerOptions) {
    this.#opts = { maxPassKeys: 10_000, now: Date.now, ...opts }
  }

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
   * (null = go to the origin yourself). */
  join (key: string): Promise<CacheEntry | null> | null {
    const flight = this.#flights.get(key)
    if (flight === undefined) {
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
    const flight = this.#flights.get(key)
    if (flight === undefined) return
    this.#flights.delete(key)
    clearTimeout(flight.timer)
    flight.resolve(entry)
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
  }
}
