import t from '../helpers/cases.js'
import { htmlReport } from '../../src/loadtest/report-html.js'
import { runBench } from '../../src/loadtest/run.js'
import { benchOptions, delayServer } from './helpers.js'

t.test('the HTML report is self-contained: inline SVG charts, no script, no external resource', async t => {
  const server = await delayServer(n => n % 4 === 0 ? 5 : 1, { 'x-cache': 'HIT' })
  t.after(() => server.close())
  const report = await runBench(benchOptions(server.url, { durationMs: 400, level: 2, connections: 2 }))
  const html = htmlReport(report, new Date(0))
  t.match(html, /^<!DOCTYPE html>/)
  t.equal((html.match(/<svg /g) ?? []).length, 4, 'latency over time, throughput, histogram, percentiles')
  t.match(html, 'Latency over time')
  t.match(html, 'Latency histogram')
  t.notMatch(html, /<script/i)
  t.notMatch(html, /(src|href)="https?:/i, 'nothing loaded from the network')
  t.match(html, /<rect [^>]*><title>/, 'histogram bars')
})
