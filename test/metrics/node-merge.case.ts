// Under server.workers the dashboard shows the node: the primary adds up the workers' finished seconds and route
// tables. Counts add, and the percentiles of the merge are exactly those of one process that saw every request
// (summed histogram buckets, never an average of the workers' percentiles).
import t from '../helpers/cases.js'
import { TimeSeries, type SecondRow } from '../../src/plugins/metrics/time-series.js'
import { LATE_S, NodeSeries, type SeriesReport } from '../../src/plugins/metrics/node-series.js'
import { RouteStats, mergeRouteExports } from '../../src/plugins/metrics/route-stats.js'

function clock (startMs: number): { now: () => number, set: (ms: number) => void } {
  let ms = startMs
  return { now: () => ms, set: v => { ms = v } }
}

/** A worker's series with its rows collected as the cluster link would send them (through JSON, as IPC does). */
function worker (now: () => number): { series: TimeSeries, report: () => SeriesReport } {
  const series = new TimeSeries({ seconds: 60, now })
  let rows: SecondRow[] = []
  series.onSecond(r => { rows.push(r) })
  return {
    series,
    report: () => {
      const upTo = series.flush()
      const r: SeriesReport = JSON.parse(JSON.stringify({ seconds: 60, upTo, queueDepth: null, rows })) as SeriesReport
      rows = []
      return r
    }
  }
}

// Fast cache hits on one worker, slow origin requests on the other: averaging their percentiles would be far off.
const FAST = Array.from({ length: 90 }, (_, i) => 1 + i / 100)
const SLOW = Array.from({ length: 30 }, (_, i) => 200 + i * 10)

t.test('the node\'s per-second percentiles are those of all requests, and counts add up', async t => {
  const c = clock(5_000_000)
  const a = worker(c.now)
  const b = worker(c.now)
  const all = new TimeSeries({ seconds: 60, now: c.now })
  const node = new NodeSeries({ seconds: 60, now: c.now })
  node.expect(1)
  node.expect(2)
  for (const ms of FAST) {
    a.series.record(c.now(), ms, 200, 'HIT', -1, false)
    all.record(c.now(), ms, 200, 'HIT', -1, false)
  }
  for (const ms of SLOW) {
    b.series.record(c.now(), ms, 200, 'MISS', ms - 1, false)
    all.record(c.now(), ms, 200, 'MISS', ms - 1, false)
  }
  b.series.record(c.now(), 3, 429, null, -1, false)
  all.record(c.now(), 3, 429, null, -1, false)
  c.set(5_001_200)
  node.add(1, a.report())
  t.same(node.snapshot().t.filter(s => s === 5000), [], 'not final while worker 2 has not moved past it')
  node.add(2, b.report())
  const got = node.snapshot()
  const want = all.snapshot()
  const i = got.t.indexOf(5000)
  const j = want.t.indexOf(5000)
  t.ok(i >= 0 && j >= 0, 'the second is final once both workers moved past it')
  t.equal(got.rps[i], 121, 'requests of both workers')
  for (const col of ['p50', 'p95', 'p99', 'hitRatio', 'limited', 'upstreamP50', 'upstreamP95'] as const) {
    t.equal(got[col][i], want[col][j], `${col} equals one process's that saw every request (${want[col][j]})`)
  }
  t.ok(got.p95[i] >= 200, `p95 ${got.p95[i]} is a slow request's: not the mean of the workers' p95s`)
})

t.test('a worker that stops reporting holds a second open only LATE_S seconds', async t => {
  const c = clock(7_000_000)
  const a = worker(c.now)
  const node = new NodeSeries({ seconds: 60, now: c.now })
  node.add(2, { seconds: 60, upTo: 7000, queueDepth: null, rows: [] })
  a.series.record(c.now(), 5, 200, null, -1, false)
  c.set(7_001_100)
  node.add(1, a.report())
  t.notOk(node.snapshot().t.includes(7000), 'worker 2 has not moved past 7000')
  c.set(7_000_000 + (LATE_S + 1) * 1000 + 100)
  const rows = node.snapshot()
  t.equal(rows.rps[rows.t.indexOf(7000)], 1, 'final after LATE_S, with the rows that came')
  node.forget(2)
  t.equal(node.workers, 1)
})

t.test('the node\'s route table adds up the workers\' and merges their histograms', async t => {
  const c = clock(9_000_000)
  const a = new RouteStats({ now: c.now })
  const b = new RouteStats({ now: c.now })
  const all = new RouteStats({ now: c.now })
  for (const ms of FAST) {
    a.record(c.now(), 'products', ms, 200, 'HIT', -1, false)
    all.record(c.now(), 'products', ms, 200, 'HIT', -1, false)
  }
  for (const ms of SLOW) {
    b.record(c.now(), 'products', ms, 200, 'MISS', ms, false)
    all.record(c.now(), 'products', ms, 200, 'MISS', ms, false)
    b.record(c.now(), 'checkout', ms, 502, null, ms, true)
    all.record(c.now(), 'checkout', ms, 502, null, ms, true)
  }
  b.recordOrigin('products', true)
  all.recordOrigin('products', true)
  c.set(9_010_000)
  const merged = mergeRouteExports(JSON.parse(JSON.stringify([a.export(), b.export()])) as ReturnType<RouteStats['export']>[])
  const want = all.summaries()
  t.equal(merged.workers.length, 2)
  t.same(merged.workers.map(w => w.requests), [90, 60], 'each worker\'s requests')
  for (const route of ['products', 'checkout']) {
    const m = merged.routes.find(r => r.route === route)
    const w = want.routes.find(r => r.route === route)
    t.same(m, w, `${route}: the same summary as one process that saw every request`)
  }
  t.same(merged.total, want.total, 'the total row too')
  t.equal(merged.total.requests, 150)
})
