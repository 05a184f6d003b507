// Events of the last minute in one-second buckets, for "shedding started" on the dashboard: a counter's total says
// nothing about now, and the dashboard must not depend on the metrics plugin being on.

const BUCKETS = 60

export class RecentCount {
  readonly #counts = new Uint32Array(BUCKETS)
  readonly #stamps = new Float64Array(BUCKETS)
  readonly #now: () => number

  constructor (now: () => number = Date.now) {
    this.#now = now
  }

  add (): void {
    const sec = Math.floor(this.#now() / 1000)
    const i = sec % BUCKETS
    if (this.#stamps[i] !== sec) {
      this.#stamps[i] = sec
      this.#counts[i] = 0
    }
    this.#counts[i]++
  }

  /** Events in the last 60 s. */
  get lastMinute (): number {
    const sec = Math.floor(this.#now() / 1000)
    let n = 0
    for (let i = 0; i < BUCKETS; i++) if (sec - this.#stamps[i] < BUCKETS) n += this.#counts[i]
    return n
  }
}
