// bench/rate-limit: requests/s through the sidecar with the rate-limit plugin off, on with the memory store, and
// on with the Redis store, side by side in one run (rounds interleaved, medians). Load is realistic for the
// limiter: each request comes from one of 50,000 client IPs (X-Forwarded-For from the trusted loopback proxy),
// so every request costs two counters (per IP, per user = anonymous IP) and nothing is limited: this measures
// the price of the allowed path, the one every legitimate visitor pays. Each party runs in its own process.
//   npm run build && node dist/bench/rate-limit.js [--rounds 5] [--seconds 5] [--connections 64] [--only off,redis]
//     [--private-redis]
// CPU per request (sidecar, and the Redis server: on 2 cores both count) divides by wrk's completed requests.
// Needs Redis at REDIS_URL (default redis://127.0.0.1:6379) and wrk.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { manyClientsScript, median, table, wrk, type WrkResult } from './lib/wrk.js'
import { startProcess, stopProcess, type Started } from './lib/processes.js'
import { freePort } from './lib/free-port.js'
import { announceReady, startOriginRole, startSidecarRole } from './lib/roles.js'
import { cpuMs, redisCpuMs } from './lib/cpu.js'
import { deleteByPrefix } from './lib/redis-keys.js'
import { benchArgs, ROLE_OPTIONS } from './lib/args.js'

const SELF = fileURLToPath(import.meta.url)
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const CLIENTS = 50_000


type Mode = 'off' | 'memory' | 'redis'

async function role (name: string, port: number, upstream: string, prefix: string, redisUrl: string): Promise<void> {
  if (name === 'origin') {
    await startOriginRole(port)
  } else {
    const mode = name as Mode
    await startSidecarRole(port, upstream, {
      redis: mode === 'redis' ? { enabled: true, url: redisUrl, keyPrefix: prefix } : { enabled: false },
      // The seed defaults (100/min per IP, 1,000/h per user, the login rule): the load stays well under them.
      rateLimit: mode === 'off' ? { enabled: false } : { enabled: true, store: mode }
    })
  }
  announceReady(name)
}

/** A Redis server of this run alone (no persistence), so its CPU per request counts only this bench's load. */
async function privateRedis (dir: string): Promise<{ url: string, proc: Started }> {
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' })
  const url = `redis://127.0.0.1:${port}`
  for (let i = 0; i < 50; i++) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null })
    try {
      await client.connect()
      await client.ping()
      return { url, proc: { child, stop: () => stopProcess(child) } }
    } catch { /* not up yet */ } finally {
      client.disconnect()
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  child.kill('SIGKILL')
  throw new Error('redis-server did not come up')
}

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/rate-limit',
    summary: 'Requests/s and CPU per request (sidecar and Redis server) through the sidecar with rate limiting off, on with the memory store and on with the Redis store (rounds interleaved, medians), each request from one of 50,000 client IPs. Needs Redis and wrk.',
    options: {
      rounds: { type: 'int', default: 5, description: 'interleaved rounds; figures are medians' },
      seconds: { type: 'int', default: 5, description: 'seconds of load per party and round (wrk -d)' },
      connections: { type: 'int', default: 64, description: 'connections the load generator keeps open (wrk -c)' },
      only: { type: 'string', placeholder: '<mode,mode>', description: 'run only these parties: off, memory, redis (default: all)' },
      'private-redis': { type: 'boolean', description: 'start a redis-server of this run alone (its CPU then comes from /proc and counts no other client\'s load)' },
      ...ROLE_OPTIONS,
      upstream: { type: 'string', placeholder: '<url>', internal: true, description: 'the origin to proxy to' },
      prefix: { type: 'string', default: '', internal: true, description: 'Redis key prefix of this run' },
      'redis-url': { type: 'string', default: REDIS_URL, internal: true, description: 'the Redis the redis party uses' }
    }
  })
  if (values.role !== undefined) {
    await role(values.role, values.port, values.upstream ?? '', values.prefix, values['redis-url'])
    return
  }
  const { rounds, seconds, connections } = values
  const only = values.only === undefined ? null : new Set(values.only.split(','))
  const dir = mkdtempSync(join(tmpdir(), 'sipup-bench-rl-'))
  const script = join(dir, 'clients.lua')
  writeFileSync(script, manyClientsScript(CLIENTS))
  const prefix = `sipup-bench:rl:${process.pid}:`
  const procs: Started[] = []
  const all: { name: string, mode: Mode }[] = [
    { name: 'rate limit off', mode: 'off' },
    { name: 'rate limit, memory store', mode: 'memory' },
    { name: 'rate limit, Redis store', mode: 'redis' }
  ]
  const targets = all.filter(t => only === null || only.has(t.mode))
  let redisUrl = REDIS_URL
  let redisPid: number | undefined
  try {
    if (values['private-redis']) {
      const r = await privateRedis(dir)
      procs.push(r.proc)
      redisUrl = r.url
      redisPid = r.proc.child.pid
    }
    const po = await freePort()
    const upstream = `http://127.0.0.1:${po}`
    procs.push(await startProcess(SELF, ['--role', 'origin', '--port', String(po)], /ready origin/))
    const parties: { name: string, mode: Mode, url: string, pid: number | undefined }[] = []
    for (const t of targets) {
      const port = await freePort()
      const p = await startProcess(SELF, ['--role', t.mode, '--port', String(port), '--upstream', upstream, '--prefix', prefix, '--redis-url', redisUrl], /ready/)
      procs.push(p)
      parties.push({ ...t, url: `http://127.0.0.1:${port}/fast`, pid: p.child.pid })
    }
    process.stderr.write('warm-up (2 s each)\n')
    for (const t of parties) await wrk(t.url, { connections, seconds: 2, script })
    const results = new Map<string, WrkResult[]>(parties.map(t => [t.name, []]))
    // CPU per request is steadier than requests/s on a shared machine: it doesn't depend on who else runs. The
    // Redis server's share runs on the same cores, so it counts too.
    const cpu = new Map<string, number[]>(parties.map(t => [t.name, []]))
    const redisCpu: number[] = []
    const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 })
    const redisNow = async (): Promise<number> => redisPid === undefined ? await redisCpuMs(redis) : cpuMs(redisPid)
    for (let r = 0; r < rounds; r++) {
      for (const t of parties) {
        const c0 = cpuMs(t.pid)
        const r0 = t.mode === 'redis' ? await redisNow() : 0
        const res = await wrk(t.url, { connections, seconds, script })
        const requests = Number.isFinite(res.requests) ? res.requests : res.rps * seconds
        cpu.get(t.name)?.push((cpuMs(t.pid) - c0) * 1000 / requests)
        if (t.mode === 'redis') redisCpu.push((await redisNow() - r0) * 1000 / requests)
        results.get(t.name)?.push(res)
        process.stderr.write(`  round ${r + 1}/${rounds} ${t.name.padEnd(26)} ${res.rps.toFixed(0).padStart(7)} req/s  ` +
          `${(cpu.get(t.name)?.at(-1) ?? NaN).toFixed(1)} µs/req${t.mode === 'redis' ? ` + Redis ${(redisCpu.at(-1) ?? NaN).toFixed(1)}` : ''}` +
          `  p99 ${res.p99ms.toFixed(2)} ms${res.errors > 0 ? `  non-2xx/errors ${res.errors}` : ''}\n`)
      }
    }
    redis.disconnect()
    console.log(`bench/rate-limit: GET /fast (4 KB page) from ${CLIENTS} client IPs, seed limits (nothing limited), ` +
      `wrk -t1 -c${connections} -d${seconds}s, ${rounds} interleaved rounds, medians; Redis ${redisPid === undefined ? 'shared (INFO cpu)' : 'private (/proc)'}`)
    console.log(table(results))
    const us = (name: string): number => median(cpu.get(name) ?? [])
    const off = us('rate limit off')
    const red = us('rate limit, Redis store')
    const redServer = median(redisCpu)
    console.log(`sidecar CPU per request (median µs): off ${off.toFixed(1)}, memory ${us('rate limit, memory store').toFixed(1)}, ` +
      `Redis ${red.toFixed(1)} + Redis server ${redServer.toFixed(1)}`)
    console.log(`CPU-bound ratios (off CPU / on CPU): memory ${(off / us('rate limit, memory store')).toFixed(2)}x, ` +
      `Redis ${(off / red).toFixed(2)}x sidecar only, ${(off / (red + redServer)).toFixed(2)}x counting the Redis server`)
    const ratio = (name: string): number[] => (results.get(name) ?? []).map((r, i) => r.rps / ((results.get('rate limit off') ?? [])[i]?.rps ?? NaN))
    const mem = ratio('rate limit, memory store')
    const redR = ratio('rate limit, Redis store')
    console.log(`per-round memory/off: ${mem.map(x => x.toFixed(2)).join(' ')} (median ${median(mem).toFixed(2)}x)`)
    console.log(`per-round Redis/off:  ${redR.map(x => x.toFixed(2)).join(' ')}`)
    console.log(`headline: Redis store = ${median(redR).toFixed(2)}x rate limit off (target >= 0.8x)`)
  } finally {
    if (redisPid === undefined) {
      const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
      try {
        await client.connect()
        await deleteByPrefix(client, prefix)
      } catch { /* Redis gone: nothing to clean */ } finally {
        client.disconnect()
      }
    }
    await Promise.all(procs.map(p => p.stop()))
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch(err => { console.error(err); process.exit(1) })
