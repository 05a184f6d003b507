// Collects every completed request of one measured run: latency histograms, status codes, error kinds, the cache split,
// per-request-name figures and a per-second timeline for the HTML chart.
import type { Histogram } from 'hdr-histogram-js'
import { createHistogram, recordMs } from './histogram.js'
import type { CacheOutcome, ErrorKind } from './outcome.js'

export interface Sample {
  name: string
  /** performance.now() of the moment the request should have left (open and user models) or left (closed). */
  intended: number
  sent: number
  end: number
  /** 0 when there was no response. */
  status: number
  ok: boolean
  error: ErrorKind | null
  cache: CacheOutcome
  /** src/loadtest/outcome.ts cacheDetail: the Cache-Status parameters ('' without one or without an answer). */
  detail: string
}

/** Where an answer came from: the cache, the origin (through the target or directly), a fast 503 that shed load
 * (origin protection, or any 503), or nothing (a transport error or a client timeout). */
export type AnswerClass = 'cache' | 'origin' | 'shed' | 'error'

export function answerClass (s: Pick<Sample, 'status' | 'cache'>): AnswerClass {
  if (s.status === 0) return 'error'
  if (s.cache === 'hit' || s.cache === 'stale') return 'cache'
  return s.status === 503 ? 'shed' : 'origin'
}

export interface OutcomeStats {
  count: number
  ok: number
  /** Responses a cache reported as a hit. */
  hits: number
  latency: Histogram
}

export interface TimelineSecond {
  count: number
  errors: number
  latency: Histogram
}

export class Recorder {
  /** Latency from the intended send time (coordinated-omission corrected). */
  readonly latency = createHistogram()
  /** Latency from the actual send time: what a closed-loop tool would report. */
  readonly service = createHistogram()
  readonly statuses = new Map<number, number>()
  readonly errors = new Map<ErrorKind, number>()
  readonly cache = new Map<CacheOutcome, OutcomeStats>()
  readonly byName = new Map<string, OutcomeStats>()
  readonly byClass = new Map<AnswerClass, OutcomeStats>()
  /** Per request name: answers by status code and cache detail (`200 fwd=bypass; detail=rule`). */
  readonly details = new Map<string, Map<string, number>>()
  readonly timeline: TimelineSecond[] = []
  completed = 0
  ok = 0
  /** Answers (any status) that arrived inside the measured window, whenever they were due. */
  servedInWindow = 0
  /** Requests whose intended send time fell inside the measured window (sent or not). */
  offered = 0
  #from: number
  readonly #fromCorrected: boolean
  #until = Number.POSITIVE_INFINITY

  /**
   * @param from performance.now() at which measuring starts (after warm-up)
   * @param correct record latency from the intended time (true) or from the actual send time
   */
  constructor (from: number, correct: boolean) {
    this.#from = from
    this.#fromCorrected = correct
  }

  get from (): number {
    return this.#from
  }

  /** Opens the measured window at `at`, for a recorder made with `from` = Infinity (the start not known yet). */
  openWindow (at: number): void {
    this.#from = at
  }

  /** Ends the measured window: requests due later are not counted, answers arriving later are not "served". */
  closeWindow (at: number): void {
    this.#until = at
  }

  /** Counts one request as offered when its intended send time is inside the window. */
  offer (intended: number): void {
    if (intended >= this.#from && intended < this.#until) this.offered++
  }

  record (s: Sample): void {
    // Served counts every answer that arrived inside the window, whenever it was due (a backlog being worked off).
    if (s.end >= this.#from && s.end <= this.#until && s.status !== 0) this.servedInWindow++
    if (s.intended < this.#from || s.intended >= this.#until) return
    const ms = s.end - (this.#fromCorrected ? s.intended : s.sent)
    recordMs(this.latency, ms)
    recordMs(this.service, s.end - s.sent)
    this.completed++
    if (s.ok) this.ok++
    if (s.status !== 0) this.statuses.set(s.status, (this.statuses.get(s.status) ?? 0) + 1)
    if (s.error !== null) this.errors.set(s.error, (this.errors.get(s.error) ?? 0) + 1)
    const hit = s.cache === 'hit'
    if (s.status !== 0) addTo(this.cache, s.cache, s.ok, hit, ms)
    addTo(this.byName, s.name, s.ok, hit, ms)
    addTo(this.byClass, answerClass(s), s.ok, hit, ms)
    if (s.status !== 0) {
      let d = this.details.get(s.name)
      if (d === undefined) { d = new Map(); this.details.set(s.name, d) }
      const k = s.detail === '' ? String(s.status) : `${s.status} ${s.detail}`
      d.set(k, (d.get(k) ?? 0) + 1)
    }
    const second = Math.floor((s.end - this.#from) / 1000)
    let bucket = this.timeline[second]
    if (bucket === undefined) {
      for (let i = this.timeline.length; i <= second; i++) this.timeline.push({ count: 0, errors: 0, latency: createHistogram(2) })
      bucket = this.timeline[second]
    }
    bucket.count++
    if (!s.ok) bucket.errors++
    recordMs(bucket.latency, ms)
  }
}

function addTo<K> (map: Map<K, OutcomeStats>, key: K, ok: boolean, hit: boolean, ms: number): void {
  let st = map.get(key)
  if (st === undefined) {
    st = { count: 0, ok: 0, hits: 0, latency: createHistogram(2) }
    map.set(key, st)
  }
  st.count++
  if (ok) st.ok++
  if (hit) st.hits++
  recordMs(st.latency, ms)
}
