// Test servers for the bench tests, on real sockets (port 0).
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { RequestPlan } from '../../src/loadtest/request-plan.js'
import type { BenchOptions } from '../../src/loadtest/run.js'

export interface TestServer {
  url: string
  hits: number
  close: () => Promise<void>
}

/** `delayFor(n)` gives the delay in ms of the n-th request (0-based). */
export async function delayServer (delayFor: (n: number) => number, headers: Record<string, string> = {}): Promise<TestServer> {
  const state = { hits: 0 }
  const server = http.createServer((req, res) => {
    const n = state.hits++
    req.resume()
    const answer = (): void => { res.writeHead(200, { 'content-type': 'text/plain', ...headers }); res.end('ok') }
    const d = delayFor(n)
    if (d <= 0) { answer(); return }
    // libuv measures timers against the loop's cached clock (1 ms steps), so setTimeout(d) can fire up to ~1 ms
    // early by performance.now(): wait out the rest, so the server never answers before its delay.
    const start = performance.now()
    const wait = (): void => {
      const left = d - (performance.now() - start)
      if (left <= 0) answer()
      else setTimeout(wait, Math.ceil(left))
    }
    setTimeout(wait, d)
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    get hits () { return state.hits },
    close: () => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) })
  }
}

export function benchOptions (url: string, o: Partial<BenchOptions> = {}): BenchOptions {
  return {
    targets: [new URL(url).origin],
    plan: RequestPlan.fromUrls([new URL(url)]),
    model: 'closed',
    level: 1,
    connections: 1,
    thinkMs: 1000,
    durationMs: 1000,
    warmupMs: 0,
    ramp: [],
    timeoutMs: 5000,
    correct: true,
    rounds: 1,
    thresholds: [],
    ...o
  }
}

