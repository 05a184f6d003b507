// Pass/fail limits, e.g. `p95<500ms`, `success>=99%`, `rps>=1000`, `errors<=0`. Defaults from the seed's claim.
import { parseDuration } from '../config/units.js'
import type { TargetResult } from './result.js'

export type Metric = 'min' | 'avg' | 'p50' | 'p90' | 'p95' | 'p99' | 'p99.9' | 'max' | 'success' | 'rps' | 'errors' | 'hit'
export type Op = '<' | '<=' | '>' | '>='

export interface Threshold {
  metric: Metric
  op: Op
  /** ms for latency metrics, 0..1 for success and hit, a number otherwise. */
  value: number
}

export interface ThresholdCheck {
  text: string
  actual: number
  actualText: string
  pass: boolean
}

export const DEFAULT_THRESHOLDS: readonly Threshold[] = [
  { metric: 'p95', op: '<', value: 500 },
  { metric: 'success', op: '>=', value: 0.99 }
]

const LATENCY: ReadonlySet<string> = new Set(['min', 'avg', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max'])
const RATIO: ReadonlySet<string> = new Set(['success', 'hit'])
const RE = /^\s*(min|avg|p50|p90|p95|p99|p99\.9|max|success|rps|errors|hit)\s*(<=|>=|<|>)\s*(\S+)\s*$/

/** Returns the threshold, or an error text saying what was expected. */
export function parseThreshold (text: string): Threshold | string {
  const m = RE.exec(text)
  if (m === null) return 'a limit like p95<500ms, p99<=1s, success>=99%, rps>=1000, errors<=0 or hit>=80%'
  const metric = m[1] as Metric
  const raw = m[3]
  let value: number | undefined
  if (LATENCY.has(metric)) value = parseDuration(raw)
  else if (RATIO.has(metric)) value = raw.endsWith('%') ? Number(raw.slice(0, -1)) / 100 : Number(raw)
  else value = Number(raw)
  if (value === undefined || !Number.isFinite(value)) {
    return LATENCY.has(metric) ? `a duration after '${m[2]}' like 500ms or 1s` : `a number after '${m[2]}'`
  }
  return { metric, op: m[2] as Op, value }
}

/** Later thresholds on the same metric replace earlier ones (so --threshold p95<200ms replaces the default). */
export function mergeThresholds (base: readonly Threshold[], extra: readonly Threshold[]): Threshold[] {
  const out = new Map<Metric, Threshold>()
  for (const t of [...base, ...extra]) out.set(t.metric, t)
  return [...out.values()]
}

export function assess (r: TargetResult, thresholds: readonly Threshold[]): ThresholdCheck[] {
  return thresholds.map(t => {
    const actual = metricValue(r, t.metric)
    return { text: describe(t), actual, actualText: format(t.metric, actual), pass: compare(actual, t.op, t.value) }
  })
}

export function describe (t: Threshold): string {
  return `${t.metric} ${t.op} ${format(t.metric, t.value)}`
}

function metricValue (r: TargetResult, m: Metric): number {
  switch (m) {
    case 'success': return r.successRate
    case 'hit': return r.hitRatio
    case 'rps': return r.rps
    case 'errors': return r.requests - Math.round(r.successRate * r.requests)
    case 'p99.9': return r.latency.p999
    default: return r.latency[m]
  }
}

function format (m: Metric, v: number): string {
  if (LATENCY.has(m)) return v >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${v.toFixed(1)}ms`
  if (RATIO.has(m)) return `${(v * 100).toFixed(2)}%`
  return Number.isInteger(v) ? String(v) : v.toFixed(1)
}

function compare (a: number, op: Op, b: number): boolean {
  switch (op) {
    case '<': return a < b
    case '<=': return a <= b
    case '>': return a > b
    case '>=': return a >= b
  }
}
