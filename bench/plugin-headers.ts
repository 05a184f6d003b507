// bench/plugin-headers: what writing the limiter's two headers costs on a proxied response, the old way against the
// new: (old) RateLimit/RateLimit-Policy set on the raw response with setHeader, then the proxy's writeHead(status,
// headers) with an origin's usual 12 headers, which Node then merges one setHeader at a time; (new) the two headers
// kept in the request state (setResponseHeader) and added to the proxy's header object before one writeHead (Node's
// fast path). Both build the same forwarded header object from undici's and write the head on a fresh
// ServerResponse. In this process, interleaved rounds, medians; CPU µs per response.
//   npm run build && node dist/bench/plugin-headers.js [--calls 200000] [--rounds 7]
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import { forwardResponseHeaders } from '../src/proxy/headers.js'
import { addResponseHeaders } from '../src/core/response-headers.js'
import { SidecarRequestState } from '../src/core/sidecar.js'
import { median } from './lib/wrk.js'
import { benchArgs } from './lib/args.js'

const ORIGIN: Record<string, string | string[]> = {
  date: 'Wed, 02 Dec 2026 15:45:17 GMT',
  server: 'Apache/2.4.62 (Debian)',
  'x-powered-by': 'PHP/8.2.26',
  expires: 'Thu, 19 Nov 1981 08:52:00 GMT',
  'cache-control': 'no-store, no-cache, must-revalidate',
  pragma: 'no-cache',
  'set-cookie': ['PHPSESSID=0123456789abcdef; path=/; HttpOnly', 'lang=en; path=/'],
  vary: 'Accept-Encoding',
  'content-length': '4096',
  'keep-alive': 'timeout=5, max=100',
  connection: 'Keep-Alive',
  'content-type': 'text/html; charset=UTF-8'
}
const POLICY = '"ip";q=300;w=60, "user";q=1000;w=3600'
const socket = new Socket()
const req = new IncomingMessage(socket)

function oldWay (i: number): ServerResponse {
  const res = new ServerResponse(req)
  res.setHeader('ratelimit-policy', POLICY)
  res.setHeader('ratelimit', `"ip";r=${i & 255};t=60, "user";r=999;t=3600`)
  res.writeHead(200, forwardResponseHeaders(ORIGIN, null))
  return res
}

function newWay (i: number): ServerResponse {
  const res = new ServerResponse(req)
  const state = new SidecarRequestState('proxy', 0)
  state.setResponseHeader('ratelimit-policy', POLICY)
  state.setResponseHeader('ratelimit', `"ip";r=${i & 255};t=60, "user";r=999;t=3600`)
  const out = forwardResponseHeaders(ORIGIN, null)
  addResponseHeaders(out, state.responseHeaders)
  res.writeHead(200, out)
  return res
}

function noHeaders (): ServerResponse {
  const res = new ServerResponse(req)
  new SidecarRequestState('proxy', 0) // eslint-disable-line no-new
  res.writeHead(200, forwardResponseHeaders(ORIGIN, null))
  return res
}

function main (): void {
  const values = benchArgs({
    name: 'bench/plugin-headers',
    summary: 'What writing the limiter\'s two headers costs on a proxied response, setHeader then writeHead (old) vs one header object (new): CPU µs per response, interleaved rounds, medians.',
    options: {
      calls: { type: 'int', default: 200_000, description: 'responses per round and way' },
      rounds: { type: 'int', default: 7, description: 'interleaved rounds; figures are medians' }
    }
  })
  const { calls, rounds } = values
  const ways = [{ name: 'no limiter headers', fn: noHeaders }, { name: 'old: setHeader on reply.raw', fn: oldWay }, { name: 'new: request state', fn: newWay }]
  const us = new Map<string, number[]>(ways.map(w => [w.name, []]))
  let sink = 0
  for (let r = 0; r <= rounds; r++) {
    for (const w of ways) {
      // CPU time of this process, not wall time: on a shared machine the wall clock counts other processes' turns.
      const c0 = process.cpuUsage()
      for (let i = 0; i < calls; i++) sink += w.fn(i).statusCode
      const c = process.cpuUsage(c0)
      const per = (c.user + c.system) / calls
      if (r > 0) us.get(w.name)?.push(per) // round 0 is the warm-up
    }
  }
  const m = (name: string): number => median(us.get(name) ?? [])
  console.log(`bench/plugin-headers: forwarded head with an origin's 12 headers + the limiter's 2, ${calls} calls x ${rounds} interleaved rounds, medians (sink ${sink % 10})`)
  for (const w of ways) console.log(`${w.name.padEnd(30)} ${m(w.name).toFixed(3).padStart(7)} µs  (rounds: ${(us.get(w.name) ?? []).map(x => x.toFixed(3)).join(' ')})`)
  const base = m('no limiter headers')
  console.log(`headline: the limiter's two headers cost ${(m('old: setHeader on reply.raw') - base).toFixed(2)} µs per response set on reply.raw, ` +
    `${(m('new: request state') - base).toFixed(2)} µs through the request state`)
}

main()
