// bench/rate-limit: requests/s through the sidecar with the rate-limit plugin off, on with the memory store, and
// on with the Redis store, side by side in one run (rounds interleaved, medians). Load is realistic for the
// limiter: each request comes from one of 50,000 client IPs (X-Forwarded-For from the trusted loopback proxy),
// so every request costs two counters (per IP, per user = anonymous IP) and nothing is limited: this measures
// the price of the allowed path, the one every legitimate visitor pays. Each party runs in its own process.
//   npm run build && node dist/bench/rate-limit.js [--rounds 5] [--seconds 5] [--connections 64]
// Needs Redis at REDIS_URL (default redis://127.0.0.1:6379) and wrk.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { manyClientsScript, median, table, wrk, type WrkResult } from './lib/wrk.js'
import { startProcess, type Started } from './lib/processes.js'
import { freePort } from './lib/free-port.js'
import { announceReady, startOriginRole, startSidecarRole } from './lib/roles.js'
import { cpuMs, redisCpuMs } from './lib/cpu.js'
import { deleteByPrefix } from './lib/redis-keys.js'
import { benchArgs, ROLE_OPTIONS } from './lib/args.js'

const SELF = fileURLToPath(import.meta.url)
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const CLIENTS = 50_000


type Mode = 'off' | 'memory' | 'redis'

async function role (name: string, port: number, upstream: string, prefix: string): Promise<void> {
  if (name === 'origin') {
    await startOriginRole(port)
  } else {
    const mode = name as Mode
    await startSidecarRole(port, upstream, {
      redis: mode === 'redis' ? { enabled: true, url: REDIS_URL, keyPrefix: prefix } : { enabled: false },
      // The seed defaults (100/min per IP, 1,000/h per user, the login rule): the load stays well under them.
      rateLimit: mode === 'off' ? { enabled: false } : { enabled: true, store: mode }
    })
  }
  announceReady(name)
}

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/rate-limit',
    summary: 'Requests/s through the sidecar with rate limiting off, on with the memory store and on with the Redis store (rounds interleaved, medians), each request from one of 50,000 client IPs. Needs Redis and wrk.',
    options: {
      rounds: { type: 'int', default: 5, description: 'interleaved rounds; figures are medians' },
      seconds: { type: 'int', default: 5, description: 'seconds of load per party and round (wrk -d)' },
      connections: { type: 'int', default: 64, description: 'connections the load generator keeps open (wrk -c)' },
      ...ROLE_OPTIONS,
      upstream: { type: 'string', placeholder: '<url>', internal: true, description: 'the origin to proxy to' },
      prefix: { type: 'string', default: '', internal: true, description: 'Redis key prefix of this run' }
    }
  })
  if (values.role !== undefined) {
    await role(values.role, values.port, values.upstream ?? '', values.prefix)
    return
  }
  const { rounds, seconds, connections } = values
  const dir = mkdtempSync(join(tmpdir(), 'sipup-bench-rl-'))
  const script = join(dir, 'clients.lua')
  writeFileSync(script, manyClientsScript(CLIENTS))
  const prefix = `sipup-bench:rl:${process.pid}:`
  const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()])
  const upstream = `http://127.0.0.1:${ports[0]}`
  const procs: Started[] = []
  const targets: { name: string, mode: Mode, url: string }[] = [
    { name: 'rate limit off', mode: 'off', url: `http://127.0.0.1:${ports[1]}/fast` },
    { name: 'rate limit, memory store', mode: 'memory', url: `http://127.0.0.1:${ports[2]}/fast` },
    { name: 'rate limit, Redis store', mode: 'redis', url: `http://127.0.0.1:${ports[3]}/fast` }
  ]
  try {
    procs.push(await startProcess(SELF, ['--role', 'origin', '--port', String(ports[0])], /ready origin/))
    for (const [i, t] of targets.entries()) {
      procs.push(await startProcess(SELF, ['--role', t.mode, '--port', String(ports[i + 1]), '--upstream', upstream, '--prefix', prefix], /ready/))
    }
    process.stderr.write('warm-up (2 s each)\n')
    for (const t of targets) await wrk(t.url, { connections, seconds: 2, script })
    const results = new Map<string, WrkResult[]>(targets.map(t => [t.name, []]))
    // CPU per request is steadier than requests/s on a shared machine: it doesn't depend on who else runs.
    const cpu = new Map<string, number[]>(targets.map(t => [t.name, []]))
    const redisCpu: number[] = []
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
    for (let r = 0; r < rounds; r++) {
      for (const [i, t] of targets.entries()) {
        const pid = procs[i + 1].child.pid
        const c0 = cpuMs(pid)
        const r0 = t.mode === 'redis' ? await redisCpuMs(redis) : 0
        const res = await wrk(t.url, { connections, seconds, script })
        const requests = res.rps * seconds
        cpu.get(t.name)?.push((cpuMs(pid) - c0) * 1000 / requests)
        if (t.mode === 'redis') redisCpu.push((await redisCpuMs(redis) - r0) * 1000 / requests)
        results.get(t.name)?.push(res)
        process.stderr.write(`  round ${r + 1}/${rounds} ${t.name.padEnd(26)} ${res.rps.toFixed(0).padStart(7)} req/s  p99 ${res.p99ms.toFixed(2)} ms${res.errors > 0 ? `  non-2xx/errors ${res.errors}` : ''}\n`)
      }
    }
    console.log(`bench/rate-limit: GET /fast (4 KB page) from ${CLIENTS} client IPs, seed limits (nothing limited), ` +
      `wrk -t1 -c${connections} -d${seconds}s, ${rounds} interleaved rounds, medians`)
    console.log(table(results))
    const us = (name: string): number => median(cpu.get(name) ?? [])
    console.log(`sidecar CPU per request (median µs): off ${us('rate limit off').toFixed(1)}, memory ${us('rate limit, memory store').toFixed(1)}, ` +
      `Redis ${us('rate limit, Redis store').toFixed(1)} + Redis server ${median(redisCpu).toFixed(1)}`)
    console.log(`CPU-bound ratios (off CPU / on CPU): memory ${(us('rate limit off') / us('rate limit, memory store')).toFixed(2)}x, ` +
      `Redis ${(us('rate limit off') / us('rate limit, Redis store')).toFixed(2)}x sidecar only, ` +
      `${(us('rate limit off') / (us('rate limit, Redis store') + median(redisCpu))).toFixed(2)}x counting the Redis server`)
    redis.disconnect()
    const ratio = (name: string): number[] => (results.get(name) ?? []).map((r, i) => r.rps / ((results.get('rate limit off') ?? [])[i]?.rps ?? NaN))
    const mem = ratio('rate limit, memory store')
    const red = ratio('rate limit, Redis store')
    console.log(`per-round memory/off: ${mem.map(x => x.toFixed(2)).join(' ')} (median ${median(mem).toFixed(2)}x)`)
    console.log(`per-round Redis/off:  ${red.map(x => x.toFixed(2)).join(' ')}`)
    console.log(`headline: Redis store = ${median(red).toFixed(2)}x rate limit off (target >= 0.8x)`)
  } finally {
    await Promise.all(procs.map(p => p.stop()))
    const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 })
    try {
      await client.connect()
      await deleteByPrefix(client, prefix)
    } catch { /* Redis gone: nothing to clean */ } finally {
      client.disconnect()
    }
  }
}

main().catch(err => { console.error(err); process.exit(1) })
