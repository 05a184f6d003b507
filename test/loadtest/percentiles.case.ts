import t from '../helpers/cases.js'
import { runBench } from '../../src/loadtest/run.js'
import { benchOptions, delayServer } from './helpers.js'

t.test('percentiles match a server with known delays (90% at 10 ms, 10% at 100 ms)', async t => {
  // Every tenth request is slow; with one connection the mix is exact.
  const server = await delayServer(n => n % 10 === 9 ? 100 : 10)
  t.after(() => server.close())

  const report = await runBench(benchOptions(server.url, { model: 'closed', level: 2, connections: 2, durationMs: 1500 }))
  const r = report.targets[0].result
  t.ok(r.requests >= 50, `enough samples (${r.requests})`)
  t.equal(r.successRate, 1)
  t.same(r.statuses, { 200: r.requests })
  // Tolerant bounds: timers never fire early, a busy machine makes them late.
  t.ok(r.latency.p50 >= 9.5 && r.latency.p50 < 40, `p50 ${r.latency.p50} ms is about 10 ms`)
  t.ok(r.latency.p95 >= 95 && r.latency.p95 < 250, `p95 ${r.latency.p95} ms is about 100 ms`)
  t.ok(r.latency.min >= 9.5, `min ${r.latency.min} ms`)
  t.ok(r.latency.p50 <= r.latency.p90 && r.latency.p90 <= r.latency.p95 && r.latency.p95 <= r.latency.p99 &&
    r.latency.p99 <= r.latency.p999 && r.latency.p999 <= r.latency.max, 'percentiles are ordered')
})
