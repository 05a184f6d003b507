// The whole node's live history under `server.workers`, kept by the cluster primary: every worker reports its
// finished seconds (SecondRow: counts and sparse histogram buckets, time-series.ts) once a second, and the primary
// adds them up per second. A second is final once every reporting worker has moved past it (or LATE_S after it
// ended, so a stuck worker can't hold the charts back); its percentiles then come from the summed histograms, i.e.
// exactly those of one histogram that saw every request of the node.
import { SecondTotals, SeriesRing, type SecondRow, type SeriesSnapshot } from './time-series.js'

/** A worker's report: its rows since the last one, and the second it is accumulating (every earlier one is final). */
export interface SeriesReport {
  /** Seconds of history the workers keep (metrics.history); the node keeps as many. */
  seconds: number
  upTo: number
  /** Latest job queue depth; null while no job queue exists. */
  queueDepth: number | null
  rows: SecondRow[]
}

/** Seconds after its end at which a second is final even if a worker has not moved past it. */
export const LATE_S = 3

export interface NodeSeriesOptions {
  seconds: number
  /** @default Date.now */
  now?: () => number
}

export class NodeSeries {
  readonly #ring: SeriesRing
  readonly #now: () => number
  /** The first second not final yet. */
  #cur: number
  readonly #first: number
  /** Sums of the seconds not final yet, at most LATE_S + a few: rows outside [#cur, now + LATE_S] are dropped. */
  readonly #pending = new Map<number, SecondTotals>()
  /** Per worker: the second it is accumulating. */
  readonly #marks = new Map<number, number>()
  #queueDepth = Number.NaN

  constructor (opts: NodeSeriesOptions) {
    this.#ring = new SeriesRing(opts.seconds)
    this.#now = opts.now ?? Date.now
    this.#cur = this.#first = this.#nowSec() - LATE_S
  }

  get seconds (): number {
    return this.#ring.size
  }

  /** Workers that report (each one's last report counts until `forget`). */
  get workers (): number {
    return this.#marks.size
  }

  add (worker: number, report: SeriesReport): void {
    const now = this.#nowSec()
    for (const row of report.rows) {
      if (row.t < this.#cur || row.t > now + LATE_S) continue
      let sum = this.#pending.get(row.t)
      if (sum === undefined) {
        sum = new SecondTotals()
        this.#pending.set(row.t, sum)
      }
      sum.addRow(row)
    }
    this.#marks.set(worker, report.upTo)
    this.#queueDepth = report.queueDepth === null ? Number.NaN : report.queueDepth
    this.#advance()
  }

  /** A worker that runs but has not reported yet: it holds seconds open (for LATE_S at most) until it does. */
  expect (worker: number): void {
    if (!this.#marks.has(worker)) this.#marks.set(worker, -Infinity)
  }

  /** A worker that exited no longer holds seconds open. */
  forget (worker: number): void {
    this.#marks.delete(worker)
  }

  /** The finished seconds after `sinceSec` (all kept history when omitted), oldest first. */
  snapshot (sinceSec = -Infinity): SeriesSnapshot {
    this.#advance()
    return this.#ring.read(Math.max(sinceSec + 1, this.#cur - this.#ring.size, this.#first), this.#cur)
  }

  #nowSec (): number {
    return Math.floor(this.#now() / 1000)
  }

  #advance (): void {
    let to = Infinity
    for (const m of this.#marks.values()) if (m < to) to = m
    const forced = this.#nowSec() - LATE_S
    if (to === Infinity || to < forced) to = forced
    if (to <= this.#cur) return
    for (let s = Math.max(this.#cur, to - this.#ring.size); s < to; s++) {
      const sum = this.#pending.get(s)
      if (sum === undefined) this.#ring.writeEmpty(s, this.#queueDepth)
      else this.#ring.write(s, sum, this.#queueDepth)
    }
    for (const s of this.#pending.keys()) if (s < to) this.#pending.delete(s)
    this.#cur = to
  }
}
