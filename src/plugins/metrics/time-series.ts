// The dashboard's live history: one row per second for the last N seconds, in preallocated ring columns, so memory
// is fixed whatever the traffic. Latency percentiles come from one fine log histogram per second (reset, not
// reallocated). Rows are finalized lazily when a later second is seen (on record or on read): no timer, and tests
// drive the clock.
import { isCacheHit } from './labels.js'
import { FINE, LogHistogram } from './log-histogram.js'

export const SERIES_COLUMNS = [
  't', 'rps', 'p50', 'p95', 'p99', 'hitRatio', 'limited', 'upstreamErrors', 'upstreamP50', 'upstreamP95', 'queueDepth'
] as const
export type SeriesColumn = typeof SERIES_COLUMNS[number]

/** Column-major rows (what uPlot takes). `t` is epoch seconds; NaN (null in JSON) marks "no data" (no cache
 * lookups that second, no upstream request, no job queue). Latencies are milliseconds. */
export type SeriesSnapshot = Record<SeriesColumn, number[]>

export interface TimeSeriesOptions {
  /** Seconds of history kept. */
  seconds: number
  /** @default Date.now */
  now?: () => number
}

export class TimeSeries {
  readonly #size: number
  readonly #now: () => number
  readonly #cols: Record<SeriesColumn, Float64Array>
  /** The second being accumulated; rows before it are final. */
  #cur: number
  /** The first second recorded (no rows are reported before it). */
  readonly #first: number
  // Accumulators of the current second.
  #count = 0
  #lookups = 0
  #hits = 0
  #limited = 0
  #upErrors = 0
  #upCount = 0
  readonly #latency = new LogHistogram(FINE)
  readonly #upstream = new LogHistogram(FINE)
  #queueDepth = Number.NaN
  // Since start, never reset: what the fleet heartbeat turns into req/s and hit ratio between two beats.
  #totalRequests = 0
  #totalLookups = 0
  #totalHits = 0

  constructor (opts: TimeSeriesOptions) {
    this.#size = Math.max(1, Math.floor(opts.seconds))
    this.#now = opts.now ?? Date.now
    const cols = {} as Record<SeriesColumn, Float64Array>
    for (const c of SERIES_COLUMNS) cols[c] = new Float64Array(this.#size).fill(Number.NaN)
    this.#cols = cols
    this.#cur = this.#first = Math.floor(this.#now() / 1000)
  }

  /** Seconds of history kept. */
  get seconds (): number {
    return this.#size
  }

  /** Counts one finished request at `nowMs` (epoch ms; the caller reads the clock once per request).
   * `upstreamMs` is -1 when the origin was not asked (cache hit, 429...). */
  record (nowMs: number, durationMs: number, status: number, cache: string | null, upstreamMs: number,
    upstreamError: boolean): void {
    this.#advanceTo(Math.floor(nowMs / 1000))
    this.#count++
    this.#totalRequests++
    this.#latency.record(durationMs)
    if (cache !== null) {
      this.#lookups++
      this.#totalLookups++
      if (isCacheHit(cache)) {
        this.#hits++
        this.#totalHits++
      }
    }
    if (status === 429) this.#limited++
    if (upstreamError) this.#upErrors++
    if (upstreamMs >= 0) {
      this.#upCount++
      this.#upstream.record(upstreamMs)
    }
  }

  /** Requests, cache lookups and hits counted since start. */
  totals (): { requests: number, lookups: number, hits: number } {
    return { requests: this.#totalRequests, lookups: this.#totalLookups, hits: this.#totalHits }
  }

  /** Latest job queue depth (summed over queues), or null while no job queue exists. */
  setQueueDepth (depth: number | null): void {
    this.#queueDepth = depth === null ? Number.NaN : depth
  }

  /** The finished seconds after `sinceSec` (all kept history when omitted), oldest first. */
  snapshot (sinceSec = -Infinity): SeriesSnapshot {
    this.#advance()
    const from = Math.max(sinceSec + 1, this.#cur - this.#size, this.#first)
    const out = {} as SeriesSnapshot
    for (const c of SERIES_COLUMNS) out[c] = []
    for (let sec = from; sec < this.#cur; sec++) {
      const i = sec % this.#size
      for (const c of SERIES_COLUMNS) out[c].push(this.#cols[c][i])
    }
    return out
  }

  #advance (): void {
    this.#advanceTo(Math.floor(this.#now() / 1000))
  }

  #advanceTo (sec: number): void {
    if (sec <= this.#cur) return
    this.#finalize(this.#cur)
    // Quiet seconds are rows of zeros; only the last #size of them can still be seen.
    for (let s = Math.max(this.#cur + 1, sec - this.#size); s < sec; s++) this.#writeEmpty(s)
    this.#cur = sec
  }

  #finalize (sec: number): void {
    const i = sec % this.#size
    const c = this.#cols
    c.t[i] = sec
    c.rps[i] = this.#count
    if (this.#count > 0) {
      c.p50[i] = this.#latency.percentile(50)
      c.p95[i] = this.#latency.percentile(95)
      c.p99[i] = this.#latency.percentile(99)
    } else {
      c.p50[i] = c.p95[i] = c.p99[i] = Number.NaN
    }
    c.hitRatio[i] = this.#lookups > 0 ? this.#hits / this.#lookups : Number.NaN
    c.limited[i] = this.#limited
    c.upstreamErrors[i] = this.#upErrors
    if (this.#upCount > 0) {
      c.upstreamP50[i] = this.#upstream.percentile(50)
      c.upstreamP95[i] = this.#upstream.percentile(95)
    } else {
      c.upstreamP50[i] = c.upstreamP95[i] = Number.NaN
    }
    c.queueDepth[i] = this.#queueDepth
    this.#count = this.#lookups = this.#hits = this.#limited = this.#upErrors = this.#upCount = 0
    this.#latency.reset()
    this.#upstream.reset()
  }

  #writeEmpty (sec: number): void {
    const i = sec % this.#size
    const c = this.#cols
    c.t[i] = sec
    c.rps[i] = c.limited[i] = c.upstreamErrors[i] = 0
    c.p50[i] = c.p95[i] = c.p99[i] = c.hitRatio[i] = c.upstreamP50[i] = c.upstreamP95[i] = Number.NaN
    c.queueDepth[i] = this.#queueDepth
  }
}
