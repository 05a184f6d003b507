// The dashboard's per-second history: rows finalize when a later second is seen, quiet seconds are zero rows,
// memory is a fixed ring, and percentiles/hit ratio come out of each second's requests.
import t from '../helpers/cases.js'
import { TimeSeries } from '../../src/plugins/metrics/time-series.js'

function clock (startMs: number): { now: () => number, set: (ms: number) => void } {
  let ms = startMs
  return { now: () => ms, set: v => { ms = v } }
}

t.test('a second becomes a row once the next second starts', async t => {
  const c = clock(1_000_000)
  const s = new TimeSeries({ seconds: 60, now: c.now })
  s.record(c.now(), 10, 200, null, 5, false)
  s.record(c.now(), 30, 200, null, 20, false)
  t.same(s.snapshot().t, [], 'the current second is still open')
  c.set(1_001_000)
  const rows = s.snapshot()
  t.same(rows.t, [1000])
  t.equal(rows.rps[0], 2)
  t.ok(rows.p50[0] >= 10 && rows.p50[0] <= 10.4, `p50 ${rows.p50[0]} within one 4% bucket`)
  t.ok(rows.p99[0] >= 30 && rows.p99[0] <= 31.2, `p99 ${rows.p99[0]}`)
  t.ok(rows.upstreamP95[0] >= 20 && rows.upstreamP95[0] <= 20.8, `upstream p95 ${rows.upstreamP95[0]}`)
  t.ok(Number.isNaN(rows.hitRatio[0]), 'no cache lookups: no hit ratio')
  t.ok(Number.isNaN(rows.queueDepth[0]), 'no job queue: no queue depth')
})

t.test('hit ratio, 429s and upstream errors per second', async t => {
  const c = clock(2_000_000)
  const s = new TimeSeries({ seconds: 60, now: c.now })
  s.record(c.now(), 1, 200, 'HIT', -1, false)
  s.record(c.now(), 1, 200, 'STALE', -1, false)
  s.record(c.now(), 50, 200, 'MISS', 45, false)
  s.record(c.now(), 50, 200, 'BYPASS', 45, false)
  s.record(c.now(), 2, 429, null, -1, false)
  s.record(c.now(), 5000, 504, null, 5000, true)
  s.setQueueDepth(7)
  c.set(2_001_500)
  const rows = s.snapshot()
  t.equal(rows.hitRatio[0], 0.5)
  t.equal(rows.limited[0], 1)
  t.equal(rows.upstreamErrors[0], 1)
  t.equal(rows.queueDepth[0], 7)
})

t.test('quiet seconds are zero rows and only the last N seconds are kept', async t => {
  const c = clock(10_000)
  const s = new TimeSeries({ seconds: 5, now: c.now })
  s.record(c.now(), 1, 200, null, -1, false)
  c.set(13_000)
  t.same(s.snapshot().t, [10, 11, 12])
  t.same(s.snapshot().rps, [1, 0, 0])
  c.set(100_000)
  const rows = s.snapshot()
  t.same(rows.t, [95, 96, 97, 98, 99], 'a ring of 5 seconds')
  t.same(rows.rps, [0, 0, 0, 0, 0])
  t.ok(rows.p50.every(Number.isNaN), 'no latency without requests')
})

t.test('snapshot(since) returns only the newer rows', async t => {
  const c = clock(50_000)
  const s = new TimeSeries({ seconds: 60, now: c.now })
  c.set(55_000)
  t.same(s.snapshot(52).t, [53, 54])
  t.same(s.snapshot(54).t, [])
})

t.test('latencies beyond the tracked range land in the last bucket', async t => {
  const c = clock(0)
  const s = new TimeSeries({ seconds: 10, now: c.now })
  s.record(c.now(), 10 * 60_000, 200, null, 10 * 60_000, false)
  s.record(c.now(), 0, 200, null, 0, false)
  c.set(1000)
  const rows = s.snapshot()
  t.ok(rows.p99[0] >= 100_000 && Number.isFinite(rows.p99[0]), `p99 ${rows.p99[0]}`)
  t.ok(rows.p50[0] <= 0.01, 'zero lands in the first bucket')
})
