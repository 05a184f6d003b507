// Rounds against one target collapse to per-figure medians; two targets are compared figure by figure (B / A).
import type { LatencySummary } from './histogram.js'
import type { TargetResult } from './result.js'

export interface ComparisonRow {
  figure: string
  a: number
  b: number
  /** b / a (NaN when a is 0). */
  ratio: number
  /** Which direction is better for this figure. */
  better: 'higher' | 'lower'
  unit: 'req/s' | 'ms' | '%'
}

const LATENCY_KEYS: ReadonlyArray<keyof LatencySummary> = ['min', 'avg', 'p50', 'p90', 'p95', 'p99', 'p999', 'max']

export function median (values: readonly number[]): number {
  if (values.length === 0) return 0
  const s = [...values].sort((x, y) => x - y)
  const mid = s.length >> 1
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/**
 * The round with the median throughput, with its headline figures replaced by the medians over all rounds
 * (details such as the timeline and the status codes stay those of that round).
 */
export function medianResult (rounds: readonly TargetResult[]): TargetResult {
  if (rounds.length === 1) return rounds[0]
  const byRps = [...rounds].sort((x, y) => x.rps - y.rps)
  const base = byRps[(byRps.length - 1) >> 1]
  const latency = { ...base.latency }
  for (const k of LATENCY_KEYS) latency[k] = median(rounds.map(r => r.latency[k]))
  return {
    ...base,
    rps: median(rounds.map(r => r.rps)),
    offeredRps: median(rounds.map(r => r.offeredRps)),
    successRate: median(rounds.map(r => r.successRate)),
    hitRatio: median(rounds.map(r => r.hitRatio)),
    latency
  }
}

export function compareResults (a: TargetResult, b: TargetResult): ComparisonRow[] {
  const row = (figure: string, x: number, y: number, better: ComparisonRow['better'], unit: ComparisonRow['unit']): ComparisonRow =>
    ({ figure, a: x, b: y, ratio: x === 0 ? Number.NaN : y / x, better, unit })
  return [
    row('requests/s', a.rps, b.rps, 'higher', 'req/s'),
    row('success', a.successRate * 100, b.successRate * 100, 'higher', '%'),
    row('latency p50', a.latency.p50, b.latency.p50, 'lower', 'ms'),
    row('latency p90', a.latency.p90, b.latency.p90, 'lower', 'ms'),
    row('latency p95', a.latency.p95, b.latency.p95, 'lower', 'ms'),
    row('latency p99', a.latency.p99, b.latency.p99, 'lower', 'ms'),
    row('latency p99.9', a.latency.p999, b.latency.p999, 'lower', 'ms'),
    row('latency max', a.latency.max, b.latency.max, 'lower', 'ms'),
    row('cache hit', a.hitRatio * 100, b.hitRatio * 100, 'higher', '%')
  ]
}
