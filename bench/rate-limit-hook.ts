// bench/rate-limit-hook: the proxy route's rate-limit hook alone, memory store, seed limits (per IP, per user,
// the login rule), in this process: µs per call for an anonymous visitor (one of 50,000 IPs), a logged-in one
// (one of 5,000 PHPSESSID sessions) and a POST to the login rule's path. The clock is a counter that advances
// 1 ms per call, so no client ever runs out (this is the allowed path every legitimate visitor pays).
// Prints CPU µs per call (process.cpuUsage: user + system of this process, so other processes on a shared machine
// don't inflate it the way they inflate wall time), with wall µs beside it.
//   npm run build && node dist/bench/rate-limit-hook.js [--calls 300000] [--rounds 5] [--only anonymous,session,login]
//     [--connections 4] (the clients share 4 sockets, as in bench/hot-path; default one socket per client)
// For instruction counts on a busy machine, run one scenario under callgrind at two call counts and take the
// difference per call (start-up and warm-up cancel out):
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/rl.%p node dist/bench/rate-limit-hook.js --only session --rounds 0 --calls 10000
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { loadConfig } from '../src/sidecar-config.js'
import { createRateLimitHook } from '../src/plugins/rate-limit/hook.js'
import { Limiter } from '../src/plugins/rate-limit/limiter.js'
import { MemoryStore } from '../src/plugins/rate-limit/memory-store.js'
import { RateLimitMetrics } from '../src/plugins/rate-limit/metrics.js'
import { resolveParams } from '../src/plugins/rate-limit/options.js'
import type { RequestField } from '../src/core/types.js'
import { SidecarRequestState } from '../src/core/sidecar.js'
import { Registry } from 'prom-client'
import { median } from './lib/wrk.js'
import { benchArgs } from './lib/args.js'

const IPS = 50_000
const SESSIONS = 5_000

interface Fake { request: FastifyRequest, reply: FastifyReply, state: SidecarRequestState }

/** `connections` > 0: the clients' requests share that many sockets (a proxy in front, or bench/hot-path's few
 * keep-alive connections), so nothing remembered per connection helps; 0: one socket per client. */
function fakes (n: number, connections: number, make: (i: number) => { url: string, method: string, headers: Record<string, string> }): Fake[] {
  const sockets = Array.from({ length: connections }, () => new Socket())
  return Array.from({ length: n }, (_, i) => {
    const m = make(i)
    const raw = new IncomingMessage(connections > 0 ? sockets[i % connections] : new Socket())
    raw.method = m.method
    raw.url = m.url
    const res = new ServerResponse(raw)
    const state = new SidecarRequestState('proxy', 1)
    const request = { sidecar: state, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, headers: m.headers, method: m.method, url: m.url, raw } as unknown as FastifyRequest
    const reply = { raw: res } as unknown as FastifyReply
    return { request, reply, state }
  })
}

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/rate-limit-hook',
    summary: 'The proxy route\'s rate-limit hook alone (memory store, seed limits): CPU µs per call for an anonymous visitor, a logged-in one and a POST to the login rule\'s path.',
    options: {
      calls: { type: 'int', default: 300_000, description: 'calls per round and visitor kind' },
      rounds: { type: 'int', default: 5, min: 0, description: 'rounds after the warm-up; figures are medians (0: the warm-up only, for callgrind)' },
      only: { type: 'string', placeholder: 'anonymous,session,login', description: 'visitor kinds to run (comma-separated); default all' },
      connections: { type: 'int', default: 0, min: 0, description: 'sockets the clients share (4: bench/hot-path\'s case); 0 = one per client' }
    }
  })
  const { calls, rounds } = values
  const conns = values.connections
  const { config } = loadConfig({ env: {}, overrides: { redis: { enabled: false }, rateLimit: { enabled: true, store: 'memory' } } })
  const params = resolveParams(config.rateLimit, config.origin)
  let clock = 1_700_000_000_000
  const outcome: RequestField = { name: 'rateLimit', index: 0, log: true, get: s => s.fields[0] ?? null, set: (s, v) => { s.fields[0] = v } }
  const hook = createRateLimitHook({
    params,
    limiter: new Limiter({ shared: null, sharedReady: () => false, local: new MemoryStore({ maxKeys: params.memoryKeys, ban: params.ban }), failClosed: false, bans: params.ban !== null, maxKeys: params.memoryKeys, onOutage: () => {}, onRecover: () => {} }),
    metrics: new RateLimitMetrics(new Registry(), params.tierNames),
    keyPrefix: 'bench:rl:',
    now: () => clock++,
    outcome
  })
  const loginPath = config.rateLimit.rules[0]?.path.replace(/\*+/g, 'x') ?? '/login.php'
  const all: { tag: string, name: string, make: () => Fake[] }[] = [
    { tag: 'anonymous', name: 'anonymous GET', make: () => fakes(IPS, conns, () => ({ url: '/fast', method: 'GET', headers: {} })) },
    { tag: 'session', name: 'session GET', make: () => fakes(IPS, conns, i => ({ url: '/fast', method: 'GET', headers: { cookie: `PHPSESSID=s${i % SESSIONS}abcdef0123456789; lang=en` } })) },
    { tag: 'login', name: `anonymous POST ${loginPath}`, make: () => fakes(IPS, conns, () => ({ url: loginPath, method: 'POST', headers: {} })) }
  ]
  const only = values.only?.split(',')
  const scenarios = all.filter(s => only === undefined || only.includes(s.tag)).map(s => ({ name: s.name, set: s.make() }))
  const us = new Map<string, number[]>(scenarios.map(s => [s.name, []]))
  const wall = new Map<string, number[]>(scenarios.map(s => [s.name, []]))
  for (let r = 0; r <= rounds; r++) {
    for (const s of scenarios) {
      const t0 = process.hrtime.bigint()
      const c0 = process.cpuUsage()
      for (let i = 0; i < calls; i++) {
        const f = s.set[i % s.set.length]
        f.state.responseHeaders = null // each request starts with none
        // Settled before the next call: at once on the synchronous path, after the awaited step otherwise.
        await new Promise<void>((resolve, reject) => { hook(f.request, f.reply, err => { if (err === undefined) resolve(); else reject(err) }) })
      }
      const cpu = process.cpuUsage(c0)
      const wallPerCall = Number(process.hrtime.bigint() - t0) / 1000 / calls
      if (r > 0) { // round 0 is the warm-up
        us.get(s.name)?.push((cpu.user + cpu.system) / calls)
        wall.get(s.name)?.push(wallPerCall)
      }
    }
  }
  console.log(`bench/rate-limit-hook: the proxy route's hook alone, memory store, seed limits, ${calls} calls x ${rounds} rounds (after a warm-up), medians`)
  for (const s of scenarios) {
    const cpu = us.get(s.name) ?? []
    console.log(`${s.name.padEnd(32)} ${median(cpu).toFixed(2).padStart(6)} CPU µs/call  (rounds: ${cpu.map(x => x.toFixed(2)).join(' ')}; ` +
      `wall ${median(wall.get(s.name) ?? []).toFixed(2)} µs/call)`)
  }
  console.log(`headline: rate-limit hook = ${median(us.get('anonymous GET') ?? []).toFixed(2)} CPU µs per anonymous call, ${median(us.get('session GET') ?? []).toFixed(2)} with a session, ` +
    `${median(us.get(all[2].name) ?? []).toFixed(2)} on the login rule (memory store; target <= 10 µs end to end)`)
}

main().catch(err => { console.error(err); process.exit(1) })
