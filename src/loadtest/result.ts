// Turns a run's Recorder into the plain, JSON-ready figures the reports and the comparator read.
import type { LoadGeneratorFigures, RunOutcome, Settle } from './engine.js'
import type { WindowConnections } from './virtual-user.js'
import { logBuckets, summarize, type HistogramBucket, type LatencySummary } from './histogram.js'
import type { AnswerClass, OutcomeStats } from './recorder.js'
import { CACHE_OUTCOMES, ERROR_KINDS, type CacheOutcome, type ErrorKind } from './outcome.js'

export interface GroupFigures {
  count: number
  share: number
  successRate: number
  hitRatio: number
  latency: LatencySummary
}

export interface TimelinePoint {
  /** Seconds since measuring started. */
  t: number
  rps: number
  errors: number
  p50: number
  p95: number
  p99: number
  max: number
}

export interface TargetResult {
  target: string
  durationMs: number
  /** Requests due in the measured window that completed (some during the drain after it). */
  requests: number
  offered: number
  /** Answers received inside the measured window, per second. */
  rps: number
  offeredRps: number
  successRate: number
  latency: LatencySummary
  /** From the actual send time (what a closed-loop tool reports); equals `latency` in the closed model. */
  serviceLatency: LatencySummary
  statuses: Record<string, number>
  errors: Partial<Record<ErrorKind, number>>
  cache: Partial<Record<CacheOutcome, GroupFigures>>
  /** Share of responses served by a cache (hit). */
  hitRatio: number
  byRequest: Record<string, GroupFigures>
  /** Split by where the answer came from (src/loadtest/recorder.ts answerClass). */
  byClass?: Partial<Record<AnswerClass, GroupFigures>>
  /** Per request name: answers by status and Cache-Status detail (`200 fwd=bypass; detail=rule`), most first. */
  details?: Record<string, Record<string, number>>
  connections: { open: number, minOpen: number, maxOpen: number, connects: number, connectErrors: number, users?: number, window?: WindowConnections, settle?: Settle }
  unfinished: number
  loadGenerator: LoadGeneratorFigures
  timeline: TimelinePoint[]
  histogram: HistogramBucket[]
  /** Latency (ms) at each percentile of PERCENTILE_CURVE. */
  percentileCurve: Array<[number, number]>
}

export const PERCENTILE_CURVE = [0, 10, 25, 50, 75, 90, 95, 97.5, 99, 99.5, 99.9, 99.95, 99.99, 100]

export function toResult (target: string, run: RunOutcome): TargetResult {
  const r = run.recorder
  const seconds = run.measuredMs / 1000
  const responses = [...r.cache.values()].reduce((n, c) => n + c.count, 0)
  const cache: TargetResult['cache'] = {}
  for (const k of CACHE_OUTCOMES) {
    const c = r.cache.get(k)
    if (c !== undefined) cache[k] = group(c, responses)
  }
  const errors: TargetResult['errors'] = {}
  for (const k of ERROR_KINDS) {
    const n = r.errors.get(k)
    if (n !== undefined) errors[k] = n
  }
  const byClass: TargetResult['byClass'] = {}
  for (const [k, st] of r.byClass) byClass[k] = group(st, r.completed)
  const byRequest: TargetResult['byRequest'] = {}
  for (const [name, st] of [...r.byName].sort((a, b) => b[1].count - a[1].count)) byRequest[name] = group(st, r.completed)
  const details: Record<string, Record<string, number>> = {}
  for (const [name, d] of r.details) details[name] = Object.fromEntries([...d].sort((a, b) => b[1] - a[1]))
  const statuses: Record<string, number> = {}
  for (const [code, n] of [...r.statuses].sort((a, b) => a[0] - b[0])) statuses[String(code)] = n
  return {
    target,
    durationMs: run.measuredMs,
    requests: r.completed,
    offered: r.offered,
    rps: r.servedInWindow / seconds,
    offeredRps: r.offered / seconds,
    successRate: r.completed === 0 ? 0 : r.ok / r.completed,
    latency: summarize(r.latency),
    serviceLatency: summarize(r.service),
    statuses,
    errors,
    cache,
    hitRatio: responses === 0 ? 0 : (r.cache.get('hit')?.count ?? 0) / responses,
    byRequest,
    byClass,
    details,
    connections: run.connections,
    unfinished: run.unfinished,
    loadGenerator: run.loadGenerator,
    timeline: r.timeline.map((s, t) => {
      const l = summarize(s.latency)
      return { t, rps: s.count, errors: s.errors, p50: l.p50, p95: l.p95, p99: l.p99, max: l.max }
    }),
    histogram: logBuckets(r.latency),
    percentileCurve: PERCENTILE_CURVE.map(p => [p, r.latency.totalCount === 0 ? 0 : r.latency.getValueAtPercentile(p) / 1000])
  }
}

function group (st: OutcomeStats, total: number): GroupFigures {
  return {
    count: st.count,
    share: total === 0 ? 0 : st.count / total,
    successRate: st.count === 0 ? 0 : st.ok / st.count,
    hitRatio: st.count === 0 ? 0 : st.hits / st.count,
    latency: summarize(st.latency)
  }
}
