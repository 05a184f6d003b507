// `--html report.html`: one self-contained page (inline CSS and SVG, no scripts, no CDN) with the figures, the
// latency over time, throughput over time, the latency histogram and the percentile curve.
import { int, ms, pct, rate, ratio } from './format.js'
import type { BenchReport } from './run.js'
import { chart, type Series } from './svg-chart.js'

const COLORS = [['#1f77b4', '#6baed6', '#08306b'], ['#d62728', '#fc9272', '#67000d']]
const esc = (s: string): string => s.replace(/[&<>"]/g, c => `&#${c.charCodeAt(0)};`)

export function htmlReport (report: BenchReport, generatedAt = new Date()): string {
  const names = report.targets.length === 2 ? ['A', 'B'] : ['']
  const latencySeries: Series[] = []
  const rpsSeries: Series[] = []
  const histSeries: Series[] = []
  const curveSeries: Series[] = []
  report.targets.forEach((t, i) => {
    const [c50, c95, c99] = COLORS[i]
    const tl = t.result.timeline
    const tag = names[i] === '' ? '' : `${names[i]} `
    latencySeries.push(
      { label: `${tag}p50`, color: c50, dashed: i === 1, points: tl.map(p => [p.t, p.p50]) },
      { label: `${tag}p95`, color: c95, dashed: i === 1, points: tl.map(p => [p.t, p.p95]) },
      { label: `${tag}p99`, color: c99, dashed: i === 1, points: tl.map(p => [p.t, p.p99]) })
    rpsSeries.push({ label: `${tag}req/s`, color: c50, points: tl.map(p => [p.t, p.rps]) })
    if (tl.some(p => p.errors > 0)) rpsSeries.push({ label: `${tag}errors/s`, color: c99, points: tl.map(p => [p.t, p.errors]) })
    histSeries.push({ label: `${tag}requests`, color: c50, points: t.result.histogram.map(b => [b.upToMs, b.count]) })
    curveSeries.push({ label: `${tag}latency`, color: c99, dashed: i === 1, points: t.result.percentileCurve.map(([p, v]) => [nines(p), v]) })
  })
  const curveTicks: Array<[number, string]> = [[0, '0%'], [1, '90%'], [2, '99%'], [3, '99.9%'], [4, '99.99%']]

  const targetSections = report.targets.map((t, i) => {
    const r = t.result
    const checks = t.checks.map(c => `<tr><td>${esc(c.text)}</td><td>${esc(c.actualText)}</td><td class="${c.pass ? 'pass' : 'fail'}">${c.pass ? 'PASS' : 'FAIL'}</td></tr>`).join('')
    const cache = Object.entries(r.cache).map(([k, g]) => g === undefined ? '' : `<tr><td>${k}</td><td>${pct(g.share, 1)}</td><td>${ms(g.latency.p50)}</td><td>${ms(g.latency.p95)}</td><td>${ms(g.latency.p99)}</td></tr>`).join('')
    const byReq = Object.entries(r.byRequest).map(([k, g]) => `<tr><td>${esc(k)}</td><td>${int(g.count)}</td><td>${pct(g.successRate)}</td><td>${ms(g.latency.p50)}</td><td>${ms(g.latency.p95)}</td><td>${ms(g.latency.p99)}</td></tr>`).join('')
    return `<section><h2>${names[i] === '' ? '' : `${names[i]}: `}${esc(t.target)} <span class="${t.pass ? 'pass' : 'fail'}">${t.pass ? 'PASS' : 'FAIL'}</span></h2>
<table class="kv"><tr><th>requests/s served</th><td>${rate(r.rps)}</td><th>offered</th><td>${rate(r.offeredRps)}</td><th>requests</th><td>${int(r.requests)}</td></tr>
<tr><th>success</th><td>${pct(r.successRate)}</td><th>hit ratio</th><td>${pct(r.hitRatio, 1)}</td><th>connections</th><td>${int(r.connections.minOpen)}-${int(r.connections.maxOpen)}</td></tr></table>
<table><tr><th>min</th><th>avg</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th></tr>
<tr>${[r.latency.min, r.latency.avg, r.latency.p50, r.latency.p90, r.latency.p95, r.latency.p99, r.latency.p999, r.latency.max].map(v => `<td>${ms(v)} ms</td>`).join('')}</tr></table>
<p>Status codes: ${Object.entries(r.statuses).map(([k, v]) => `${k}: ${int(v)}`).join(', ') || '-'}. Errors: ${Object.entries(r.errors).map(([k, v]) => `${k}: ${int(v ?? 0)}`).join(', ') || 'none'}.
Load generator: CPU ${r.loadGenerator.cpuPercent.toFixed(0)}% of one core, event-loop delay p99 ${ms(r.loadGenerator.eventLoopDelayP99Ms)} ms.</p>
${cache === '' ? '' : `<table><tr><th>cache outcome</th><th>share</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th></tr>${cache}</table>`}
${Object.keys(r.byRequest).length > 1 ? `<table><tr><th>request</th><th>count</th><th>success</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th></tr>${byReq}</table>` : ''}
<table><tr><th>threshold</th><th>actual</th><th></th></tr>${checks}</table></section>`
  }).join('\n')

  const comparison = report.comparison === null
    ? ''
    : `<section><h2>A vs B</h2><table><tr><th>figure</th><th>A</th><th>B</th><th>B/A</th></tr>${report.comparison.map(r =>
        `<tr><td>${r.figure}</td><td>${r.a.toFixed(2)} ${r.unit}</td><td>${r.b.toFixed(2)} ${r.unit}</td><td>${ratio(r.ratio)}</td></tr>`).join('')}</table></section>`

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>sipup-sidecar bench report</title>
<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:1em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right}th{background:#f4f4f4}
td:first-child{text-align:left}.pass{color:#1a7f37;font-weight:bold}.fail{color:#c62828;font-weight:bold}svg{display:block;margin:1em 0}</style></head>
<body><h1>sipup-sidecar bench <span class="${report.pass ? 'pass' : 'fail'}">${report.pass ? 'PASS' : 'FAIL'}</span></h1>
<p>${esc(report.description)}.<br>Latency is measured ${report.model !== 'closed' && report.correct ? 'from the <strong>intended</strong> send time (coordinated-omission corrected)' : 'from the actual send time'}. Generated ${generatedAt.toISOString()}.</p>
${comparison}
${targetSections}
${chart(latencySeries, { title: 'Latency over time', xLabel: 'seconds since measuring started', yLabel: 'ms' })}
${chart(rpsSeries, { title: 'Throughput over time', xLabel: 'seconds since measuring started', yLabel: 'per second' })}
${chart(histSeries, { title: 'Latency histogram', xLabel: 'latency (ms, log scale)', yLabel: 'requests', logX: true, bars: true })}
${chart(curveSeries, { title: 'Latency by percentile', xLabel: 'percentile', yLabel: 'ms', xTicks: curveTicks })}
</body></html>
`
}

/** Maps a percentile to "number of nines" so the tail gets room: 90 -> 1, 99 -> 2, 99.9 -> 3. */
function nines (p: number): number {
  return p >= 100 ? 4.5 : -Math.log10(1 - p / 100)
}
