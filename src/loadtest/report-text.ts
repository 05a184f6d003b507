// The human report: one block per target, then the side-by-side comparison and the verdict.
import type { ComparisonRow } from './compare.js'
import type { Settle } from './engine.js'
import { int, ms, padTable, pct, rate, ratio } from './format.js'
import type { LatencySummary } from './histogram.js'
import type { TargetResult } from './result.js'
import type { BenchReport, TargetReport } from './run.js'
import type { WindowConnections } from './virtual-user.js'

export function textReport (report: BenchReport): string {
  const out: string[] = [`Load: ${report.description}`]
  out.push(report.model === 'closed'
    ? 'Latency: from the actual send time (closed model: a stalled server also slows the sender, so stalls are under-reported).'
    : report.correct
      ? 'Latency: from the intended send time (coordinated-omission corrected: waiting for a connection or a stalled server counts).'
      : 'Latency: from the actual send time (--no-co-correction: queueing before the send is NOT counted).')
  for (const [i, t] of report.targets.entries()) {
    out.push('', `== ${report.targets.length === 2 ? `${i === 0 ? 'A' : 'B'}: ` : ''}${t.target}${t.rounds.length > 1 ? ` (median of ${t.rounds.length} rounds)` : ''}`)
    out.push(...targetBlock(t, report))
  }
  if (report.comparison !== null) {
    out.push('', `== A vs B (medians of ${report.targets[0].rounds.length} interleaved rounds)`)
    out.push(...comparisonTable(report.comparison))
  }
  out.push('', `Result: ${report.pass ? 'PASS' : 'FAIL'}${report.targets.length === 2 ? ` (A ${report.targets[0].pass ? 'pass' : 'fail'}, B ${report.targets[1].pass ? 'pass' : 'fail'})` : ''}`)
  return out.join('\n') + '\n'
}

function targetBlock (t: TargetReport, report: BenchReport): string[] {
  const r = t.result
  const out: string[] = []
  const offered = report.model === 'closed' ? '' : `, offered ${rate(r.offeredRps)} req/s`
  out.push(`  throughput   ${rate(r.rps)} req/s served${offered} (${int(r.requests)} requests in ${(r.durationMs / 1000).toFixed(1)}s)`)
  out.push(`  success      ${pct(r.successRate)} (${int(Math.round(r.successRate * r.requests))} of ${int(r.requests)})`)
  out.push(`  latency ms   ${latencyLine(r.latency)}`)
  if (report.model !== 'closed' && report.correct) out.push(`  (from send)  ${latencyLine(r.serviceLatency)}`)
  out.push(`  status       ${Object.entries(r.statuses).map(([k, v]) => `${k}: ${int(v)}`).join('  ') || '-'}`)
  const errors = Object.entries(r.errors)
  out.push(`  errors       ${errors.length === 0 ? 'none' : errors.map(([k, v]) => `${k}: ${int(v ?? 0)}`).join('  ')}` +
    (r.unfinished > 0 ? `  (${int(r.unfinished)} unfinished at the end, counted as timeouts)` : ''))
  const cache = Object.entries(r.cache)
  if (cache.length > 0 && !(cache.length === 1 && cache[0][0] === 'none')) {
    out.push(`  cache        hit ratio ${pct(r.hitRatio, 1)}`)
    const rows = [['', 'share', 'success', 'p50', 'p95', 'p99']]
    for (const [k, g] of cache) if (g !== undefined) rows.push([k, pct(g.share, 1), pct(g.successRate), ms(g.latency.p50), ms(g.latency.p95), ms(g.latency.p99)])
    out.push(...padTable(rows).map(l => `    ${l}`))
  }
  const names = Object.entries(r.byRequest)
  if (names.length > 1) {
    out.push('  by request')
    const withCache = r.hitRatio > 0
    const rows = [['', 'count', 'success', ...(withCache ? ['hit'] : []), 'p50', 'p95', 'p99']]
    for (const [name, g] of names) {
      rows.push([name, int(g.count), pct(g.successRate), ...(withCache ? [pct(g.hitRatio, 1)] : []), ms(g.latency.p50), ms(g.latency.p95), ms(g.latency.p99)])
    }
    out.push(...padTable(rows).map(l => `    ${l}`))
  }
  const c = r.connections
  out.push(`  connections  ${int(c.minOpen)}-${int(c.maxOpen)} open while measuring, ${int(c.connects)} opened${c.connectErrors > 0 ? `, ${int(c.connectErrors)} failed to connect` : ''}`)
  if (c.window !== undefined) out.push(`               ${windowConnectionsText(c.window, c.users)}`)
  if (c.settle !== undefined) out.push(`               ${settleText(c.settle)}`)
  const lg = r.loadGenerator
  out.push(`  load gen     CPU ${lg.cpuPercent.toFixed(0)}% of one core, event-loop delay p99 ${ms(lg.eventLoopDelayP99Ms)} ms${loadGenVerdict(lg)}`)
  for (const ch of t.checks) out.push(`  threshold    ${ch.text.padEnd(18)} ${ch.actualText.padStart(9)}  ${ch.pass ? 'PASS' : 'FAIL'}`)
  return out
}

/** Says when the load generator, not the target, may have limited the figures. */
export function loadGenVerdict (lg: TargetResult['loadGenerator']): string {
  if (lg.cpuPercent > 85) return '  <- load generator CPU-bound: throughput is a lower bound of what the target can do'
  if (lg.eventLoopDelayP99Ms > 50) return '  <- load generator starved of CPU (busy machine): its timers ran late, latency includes that'
  return ''
}

function latencyLine (l: LatencySummary): string {
  return `min ${ms(l.min)}  avg ${ms(l.avg)}  p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p95 ${ms(l.p95)}  p99 ${ms(l.p99)}  p99.9 ${ms(l.p999)}  max ${ms(l.max)}`
}

export function comparisonTable (rows: ComparisonRow[]): string[] {
  const fmt = (r: ComparisonRow, v: number): string => r.unit === 'ms' ? `${ms(v)} ms` : r.unit === '%' ? `${v.toFixed(2)}%` : `${rate(v)} req/s`
  const table = [['figure', 'A', 'B', 'B/A']]
  for (const r of rows) table.push([r.figure, fmt(r, r.a), fmt(r, r.b), ratio(r.ratio)])
  return padTable(table).map(l => `  ${l}`)
}

export function oneLine (r: TargetResult): string {
  return `${rate(r.rps)} req/s, success ${pct(r.successRate)}, p50 ${ms(r.latency.p50)} p95 ${ms(r.latency.p95)} p99 ${ms(r.latency.p99)} ms`
}

/** The measured window's connection churn in one line: with keep-alive and every user arrived, all of it is 0. */
export function windowConnectionsText (w: WindowConnections, users: number | undefined): string {
  const opened = w.firstConnects + w.reconnects
  return `while measuring: ${int(opened)} opened${users === undefined ? '' : ` (for ${int(users)} users)`}: ` +
    `${int(w.firstConnects)} first (users still arriving), ${int(w.reconnects)} reconnects; ` +
    `closed by the server ${int(w.closedByServer)}, idle past its keep-alive ${int(w.closedIdle)}, by the client timeout ${int(w.closedByTimeout)}, other ${int(w.closedByError)}; ` +
    `${int(w.connectErrors)} failed to connect`
}

/** How long the window waited for the users' connections after the warm-up (users model with settleMs). */
export function settleText (st: Settle): string {
  if (st.unconnected > 0) return `window opened ${ms(st.waitedMs)} ms after the warm-up with ${int(st.unconnected)} users still unconnected (the wait ran out)`
  if (st.gate === 'timed-out') return `window opened ${ms(st.waitedMs)} ms after the warm-up with every user connected, but before the target had settled (the wait ran out)`
  return `window opened ${ms(st.waitedMs)} ms after the warm-up, once every user held a connection${st.gate === 'settled' ? ' and the target had settled' : ''}`
}
