import t from '../helpers/cases.js'
import { parseWrk } from '../../bench/lib/wrk.js'

// What wrk 4 prints with --latency (trimmed), for the figures the benches divide CPU time by.
const OUT = `Running 4s test @ http://127.0.0.1:4000/fast
  1 threads and 64 connections
  Latency Distribution
     50%    2.85ms
     99%   12.40ms
  70211 requests in 4.00s, 310.12MB read
  Non-2xx or 3xx responses: 3
Requests/sec:  17552.71
Transfer/sec:     77.53MB
`

t.test('parseWrk reads the completed requests beside the rate, latencies and errors', async t => {
  t.same(parseWrk(OUT), { rps: 17552.71, requests: 70211, p50ms: 2.85, p99ms: 12.4, errors: 3 })
  t.ok(Number.isNaN(parseWrk('nothing').requests), 'NaN when wrk printed no count (the caller falls back to rate x seconds)')
})
