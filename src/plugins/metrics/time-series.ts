// The dashboard's live history: one row per second for the last N seconds, in preallocated ring columns, so memory
// is fixed whatever the traffic. Latency percentiles come from one fine log histogram per second (reset, not
// reallocated). Rows are finalized lazily when a later second is seen (on record or on read): no timer, and tests
// drive the clock. Under `server.workers` each finished second also leaves as a `SecondRow` (counts and sparse
// histogram buckets) for the primary's node series (node-series.ts), which adds the workers' rows up.
import { isCacheHit } from './labels.js'
import { FINE, LogHistogram } from './log-histogram.js'

export const SERIES_COLUMNS = [
  't', 'rps', 'p50', 'p95', 'p99', 'hitRatio', 'limited', 'upstreamErrors', 'upstreamP50', 'upstreamP95', 'queueDepth'
] as const
export type SeriesColumn = typeof SERIES_COLUMNS[number]

/** Column-major rows (what uPlot takes). `t` is epoch seconds; NaN (null in JSON) marks "no data" (no cache
 * lookups that second, no upstream request, no job queue). Latencies are milliseconds. */
export type SeriesSnapshot = Record<SeriesColumn, number[]>

/** One finished second of one process, in a form that adds up: counts, and the latency histograms' non-empty
 * buckets as [index, count...] pairs (FINE shape), so the node's percentiles are those of all its requests. */
export interface SecondRow {
  t: number
  count: number
  lookups: number
  hits: number
  limited: number
  upErrors: number
  upCount: number
  latency: number[]
  upstream: number[]
}

/** The accumulators of one second. */
export class SecondTotals {
  count = 0
  lookups = 0
  hits = 0
  limited = 0
  upErrors = 0
  upCount = 0
  readonly latency = new LogHistogram(FINE)
  readonly upstream = new LogHistogram(FINE)

  toRow (t: number): SecondRow {
    return {
      t,
      count: this.count,
      lookups: this.lookups,
      hits: this.hits,
      limited: this.limited,
      upErrors: this.upErrors,
      upCount: this.upCount,
      latency: this.latency.toSparse(),
      upstream: this.upstream.toSparse()
    }
  }

  addRow (r: SecondRow): void {
    this.count += r.count
    this.lookups += r.lookups
    this.hits += r.hits
    this.limited += r.limited
    this.upErrors += r.upErrors
    this.upCount += r.upCount
    this.latency.addSparse(r.latency)
    this.upstream.addSparse(r.upstream)
  }

  reset (): void {
    this.count = this.lookups = this.hits = this.limited = this.upErrors = this.upCount = 0
    this.latency.reset()
    this.upstream.reset()
  }
}

/** The fixed ring of finished rows, shared by a process's series and the primary's node series. */
export class SeriesRing {
  readonly size: number
  readonly #cols: Record<SeriesColumn, Float64Array>

  constructor (seconds: number) {
    this.size = Math.max(1, Math.floor(seconds))
    const cols = {} as Record<SeriesColumn, Float64Array>
    for (const c of SERIES_COLUMNS) cols[c] = new Float64Array(this.size).fill(Number.NaN)
    this.#cols = cols
  }

  write (sec: number, a: SecondTotals, queueDepth: number): void {
    const i = sec % this.size
    const c = this.#cols
    c.t[i] = sec
    c.rps[i] = a.count
    if (a.count > 0) {
      c.p50[i] = a.latency.percentile(50)
      c.p95[i] = a.latency.percentile(95)
      c.p99[i] = a.latency.percentile(99)
    } else {
      c.p50[i] = c.p95[i] = c.p99[i] = Number.NaN
    }
    c.hitRatio[i] = a.lookups > 0 ? a.hits / a.lookups : Number.NaN
    c.limited[i] = a.limited
    c.upstreamErrors[i] = a.upErrors
    if (a.upCount > 0) {
      c.upstreamP50[i] = a.upstream.percentile(50)
      c.upstreamP95[i] = a.upstream.percentile(95)
    } else {
      c.upstreamP50[i] = c.upstreamP95[i] = Number.NaN
    }
    c.queueDepth[i] = queueDepth
  }

  /** Quiet seconds are rows of zeros. */
  writeEmpty (sec: number, queueDepth: number): void {
    const i = sec % this.size
    const c = this.#cols
    c.t[i] = sec
    c.rps[i] = c.limited[i] = c.upstreamErrors[i] = 0
    c.p50[i] = c.p95[i] = c.p99[i] = c.hitRatio[i] = c.upstreamP50[i] = c.upstreamP95[i] = Number.NaN
    c.queueDepth[i] = queueDepth
  }

  /** Rows of seconds [from, to), oldest first (the caller keeps them within the ring). */
  read (from: number, to: number): SeriesSnapshot {
    const out = {} as SeriesSnapshot
    for (const c of SERIES_COLUMNS) out[c] = []
    for (let sec = from; sec < to; sec++) {
      const i = sec % this.size
      for (const c of SERIES_COLUMNS) out[c].push(this.#cols[c][i])
    }
    return out
  }
}

export interface TimeSeriesOptions {
  /** Seconds of history kept. */
  seconds: number
  /** @default Date.now */
  now?: () => number
}

export class TimeSeries {
  readonly #ring: SeriesRing
  readonly #now: () => number
  /** The second being accumulated; rows before it are final. */
  #cur: number
  /** The first second recorded (no rows are reported before it). */
  readonly #first: number
  /** Accumulators of the current second. */
  readonly #acc = new SecondTotals()
  #queueDepth = Number.NaN
  /** Under `server.workers`: takes every finished second that had requests (null otherwise: nothing is built). */
  #sink: ((row: SecondRow) => void) | null = null
  // Since start, never reset: what the fleet heartbeat turns into req/s and hit ratio between two beats.
  #totalRequests = 0
  #totalLookups = 0
  #totalHits = 0

  constructor (opts: TimeSeriesOptions) {
    this.#ring = new SeriesRing(opts.seconds)
    this.#now = opts.now ?? Date.now
    this.#cur = this.#first = Math.floor(this.#now() / 1000)
  }

  /** Seconds of history kept. */
  get seconds (): number {
    return this.#ring.size
  }

  /** Counts one finished request at `nowMs` (epoch ms; the caller reads the clock once per request).
   * `upstreamMs` is -1 when the origin was not asked (cache hit, 429...). */
  record (nowMs: number, durationMs: number, status: number, cache: string | null, upstreamMs: number,
    upstreamError: boolean): void {
    this.#advanceTo(Math.floor(nowMs / 1000))
    const a = this.#acc
    a.count++
    this.#totalRequests++
    a.latency.record(durationMs)
    if (cache !== null) {
      a.lookups++
      this.#totalLookups++
      if (isCacheHit(cache)) {
        a.hits++
        this.#totalHits++
      }
    }
    if (status === 429) a.limited++
    if (upstreamError) a.upErrors++
    if (upstreamMs >= 0) {
      a.upCount++
      a.upstream.record(upstreamMs)
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

  /** Latest job queue depth; NaN while no job queue exists. */
  get queueDepth (): number {
    return this.#queueDepth
  }

  /** Hands every second finished from now on that had requests to `sink` (a worker's link to the primary). */
  onSecond (sink: (row: SecondRow) => void): void {
    this.#sink = sink
  }

  /** Finishes the seconds before the current one; returns the current second (every earlier one is final). */
  flush (): number {
    this.#advance()
    return this.#cur
  }

  /** The finished seconds after `sinceSec` (all kept history when omitted), oldest first. */
  snapshot (sinceSec = -Infinity): SeriesSnapshot {
    this.#advance()
    return this.#ring.read(Math.max(sinceSec + 1, this.#cur - this.#ring.size, this.#first), this.#cur)
  }

  #advance (): void {
    this.#advanceTo(Math.floor(this.#now() / 1000))
  }

  #advanceTo (sec: number): void {
    if (sec <= this.#cur) return
    const a = this.#acc
    this.#ring.write(this.#cur, a, this.#queueDepth)
    if (this.#sink !== null && a.count > 0) this.#sink(a.toRow(this.#cur))
    a.reset()
    // Quiet seconds are rows of zeros; only the last #size of them can still be seen.
    for (let s = Math.max(this.#cur + 1, sec - this.#ring.size); s < sec; s++) this.#ring.writeEmpty(s, this.#queueDepth)
    this.#cur = sec
  }
}
