import t from '../helpers/cases.js'
import { runBench } from '../../src/loadtest/run.js'
import { benchOptions, delayServer } from './helpers.js'

// The server answers at once, except that its 20th request stalls for 1 s. One connection in both runs.
const STALL_AT = 20

t.test('open model: a 1 s stall shows up in p99, because latency counts from the intended send time', async t => {
  const server = await delayServer(n => n === STALL_AT ? 1000 : 0)
  t.after(() => server.close())

  // 100 requests/s for 2 s: about 100 requests fall due during the stall and wait behind it.
  const report = await runBench(benchOptions(server.url, { model: 'rate', level: 100, connections: 1, durationMs: 2000 }))
  const r = report.targets[0].result
  t.equal(r.successRate, 1)
  t.ok(r.latency.p99 >= 800, `p99 ${r.latency.p99} ms includes the queueing behind the stall`)
  t.ok(r.latency.p90 >= 300, `p90 ${r.latency.p90} ms: a good share of requests waited`)
  t.ok(r.serviceLatency.p90 < 300, `from the actual send time p90 is ${r.serviceLatency.p90} ms: that is what omission hides`)
})

t.test('closed model: the same stall is one slow sample, invisible in p99', async t => {
  const server = await delayServer(n => n === STALL_AT ? 1000 : 0)
  t.after(() => server.close())

  const report = await runBench(benchOptions(server.url, { model: 'closed', level: 1, connections: 1, durationMs: 2000 }))
  const r = report.targets[0].result
  t.ok(r.latency.max >= 1000, `max ${r.latency.max} ms: the stall happened`)
  t.ok(r.latency.p99 < 200, `p99 ${r.latency.p99} ms: the closed loop stopped sending while the server stalled`)
})

t.test('--no-co-correction measures the open model from the actual send time', async t => {
  const server = await delayServer(n => n === STALL_AT ? 1000 : 0)
  t.after(() => server.close())

  const report = await runBench(benchOptions(server.url, { model: 'rate', level: 100, connections: 1, durationMs: 1500, correct: false }))
  t.ok(report.targets[0].result.latency.p90 < 300, `p90 ${report.targets[0].result.latency.p90} ms`)
})
