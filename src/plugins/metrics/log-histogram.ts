// A fixed-size latency histogram with log-spaced buckets: recording is one Math.log and an array increment
// (HdrHistogram-js measured ~230 ns per record here, this ~15 ns). Percentiles are the upper bound of the bucket
// holding them, so they overstate by at most one bucket's width (`growth` - 1).

export interface LogHistogramShape {
  /** Values at or below this (ms) share the first bucket. */
  minMs: number
  /** Width ratio of consecutive buckets. */
  growth: number
  /** Number of buckets; values past the last bound land in the last one. */
  buckets: number
}

/** For per-route summaries: 46 counters, ~30% wide, 0.1 ms to ~13 min. */
export const COARSE: LogHistogramShape = { minMs: 0.1, growth: 1.3, buckets: 46 }
/** For the per-second chart: ~4% wide, 0.01 ms to ~2 min. */
export const FINE: LogHistogramShape = { minMs: 0.01, growth: 1.04, buckets: 420 }

export class LogHistogram {
  readonly counts: Uint32Array
  total = 0
  readonly #min: number
  readonly #growth: number
  readonly #lnGrowth: number
  readonly #last: number

  constructor (shape: LogHistogramShape = COARSE) {
    this.counts = new Uint32Array(shape.buckets)
    this.#min = shape.minMs
    this.#growth = shape.growth
    this.#lnGrowth = Math.log(shape.growth)
    this.#last = shape.buckets - 1
  }

  record (ms: number): void {
    const i = ms <= this.#min ? 0 : Math.ceil(Math.log(ms / this.#min) / this.#lnGrowth)
    this.counts[i > this.#last ? this.#last : i]++
    this.total++
  }

  /** Adds another histogram of the same shape. */
  add (other: LogHistogram): void {
    for (let i = 0; i <= this.#last; i++) this.counts[i] += other.counts[i]
    this.total += other.total
  }

  /** The non-empty buckets as [index, count, index, count...]: what a worker sends the cluster primary (a second
   * of traffic fills a few dozen of the 420 fine buckets). */
  toSparse (): number[] {
    const out: number[] = []
    if (this.total === 0) return out
    for (let i = 0; i <= this.#last; i++) if (this.counts[i] !== 0) out.push(i, this.counts[i])
    return out
  }

  /** Adds a `toSparse()` of a histogram of the same shape; pairs out of range are ignored. Bucket counts add, so the
   * percentiles of the sum are exactly those of one histogram that recorded every value. */
  addSparse (pairs: readonly number[]): void {
    for (let k = 0; k + 1 < pairs.length; k += 2) {
      const i = pairs[k]
      const n = pairs[k + 1]
      if (!Number.isInteger(i) || i < 0 || i > this.#last || !Number.isInteger(n) || n <= 0) continue
      this.counts[i] += n
      this.total += n
    }
  }

  reset (): void {
    if (this.total === 0) return
    this.counts.fill(0)
    this.total = 0
  }

  /** The upper bound (ms) of the bucket holding the p-th percentile; NaN when empty. */
  percentile (p: number): number {
    if (this.total === 0) return Number.NaN
    const rank = Math.max(1, Math.ceil(this.total * p / 100))
    let seen = 0
    for (let i = 0; i <= this.#last; i++) {
      seen += this.counts[i]
      if (seen >= rank) return this.#min * this.#growth ** i
    }
    return this.#min * this.#growth ** this.#last
  }
}
