import t from '../helpers/cases.js'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { compareResults, median, medianResult } from '../../src/loadtest/compare.js'
import type { TargetResult } from '../../src/loadtest/result.js'
import { runBench } from '../../src/loadtest/run.js'
import { comparisonTable } from '../../src/loadtest/report-text.js'
import { benchOptions } from './helpers.js'

function fakeResult (rps: number, p50: number, success = 1): TargetResult {
  const latency = { min: p50 / 2, avg: p50, p50, p90: p50 * 2, p95: p50 * 3, p99: p50 * 4, p999: p50 * 5, max: p50 * 6, count: 100 }
  return {
    target: 'x', durationMs: 1000, requests: rps, offered: rps, rps, offeredRps: rps, successRate: success, latency, serviceLatency: latency,
    statuses: {}, errors: {}, cache: {}, hitRatio: 0.5, byRequest: {}, connections: { open: 0, minOpen: 0, maxOpen: 0, connects: 0, connectErrors: 0 },
    unfinished: 0, loadGenerator: { cpuPercent: 0, eventLoopDelayP99Ms: 0 }, timeline: [], histogram: [], percentileCurve: []
  }
}

t.test('medians over rounds and B/A ratios', async t => {
  t.equal(median([3, 1, 2]), 2)
  t.equal(median([4, 1, 3, 2]), 2.5)
  const a = medianResult([fakeResult(100, 10), fakeResult(300, 30), fakeResult(200, 20)])
  t.equal(a.rps, 200)
  t.equal(a.latency.p50, 20)
  t.equal(a.latency.p99, 80)
  const b = medianResult([fakeResult(400, 5), fakeResult(600, 4), fakeResult(500, 6)])
  const rows = compareResults(a, b)
  const row = (name: string) => rows.find(r => r.figure === name)
  t.equal(row('requests/s')?.ratio, 2.5)
  t.equal(row('latency p50')?.ratio, 0.25)
  t.equal(row('latency p50')?.better, 'lower')
  t.match(comparisonTable(rows).join('\n'), /requests\/s\s+200 req\/s\s+500 req\/s\s+2\.50x/)
})

t.test('--compare interleaves the targets in rounds, A B A B, and reports each side by side', async t => {
  const order: string[] = []
  const servers = await Promise.all(['A', 'B'].map(name => new Promise<{ url: string, server: http.Server }>(resolve => {
    const server = http.createServer((req, res) => {
      if (order[order.length - 1] !== name) order.push(name)
      req.resume()
      // A is the slow one.
      setTimeout(() => res.end('ok'), name === 'A' ? 20 : 0)
    })
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }))
  })))
  t.after(() => Promise.all(servers.map(s => new Promise(resolve => { s.server.closeAllConnections(); s.server.close(resolve) }))))

  const report = await runBench(benchOptions(servers[0].url, {
    targets: servers.map(s => s.url), level: 2, connections: 2, durationMs: 300, rounds: 2
  }))
  t.same(order, ['A', 'B', 'A', 'B'])
  t.equal(report.targets.length, 2)
  t.equal(report.targets[0].rounds.length, 2)
  t.equal(report.targets[1].rounds.length, 2)
  const rps = report.comparison?.find(r => r.figure === 'requests/s')
  t.ok(rps !== undefined && rps.ratio > 2, `B/A requests/s ${rps?.ratio ?? NaN}: B answers without the 20 ms delay`)
})
