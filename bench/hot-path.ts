// bench/hot-path: every hot path of the sidecar against its yardstick in one run (rounds interleaved, medians of
// per-round ratios, so the drift of a shared machine cancels): bare node:http and bare Fastify answering the same
// 4 KB page from memory vs the sidecar's cache hit and nginx proxy_cache (1 worker); the sidecar's pass-through vs
// nginx pass-through (1 worker); and the sidecar with rate limiting off / memory store / Redis store, each request
// from one of 50,000 client IPs (X-Forwarded-For from the trusted loopback proxy, a wrk Lua script), so every
// request pays the limiter's allowed path. The sidecar's CPU µs per request comes from /proc/<pid>/stat.
// Each party runs in its own process.
//   npm run build && node dist/bench/hot-path.js [--rounds 3] [--seconds 3] [--connections 64] [--only hit,fastify]
// --only runs a subset of the parties, by role (node-http, fastify, hit, nginx-cache, pass, nginx-pass, rl-off,
// rl-memory, rl-redis); the ratios whose parties were skipped print as NaN.
// Needs wrk; nginx and Redis (REDIS_URL, default redis://127.0.0.1:6379) are skipped with a note when missing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { manyClientsScript, median, wrk, type WrkResult } from './lib/wrk.js'
import { startProcess, waitFor, type Started } from './lib/processes.js'
import { freePort } from './lib/free-port.js'
import { announceReady, startOriginRole, startSidecarRole } from './lib/roles.js'
import { cpuMs } from './lib/cpu.js'
import { deleteByPrefix } from './lib/redis-keys.js'
import { startNginx } from './lib/nginx.js'
import { benchArgs, ROLE_OPTIONS } from './lib/args.js'

const SELF = fileURLToPath(import.meta.url)
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const CLIENTS = 50_000


/** The origin's page as bytes, with about the headers a sidecar hit sends, for the bare servers. */
async function page (upstream: string): Promise<Buffer> {
  return Buffer.from(await (await fetch(`${upstream}/fast`)).arrayBuffer())
}

async function role (name: string, port: number, upstream: string, prefix: string): Promise<void> {
  if (name === 'origin') {
    await startOriginRole(port)
  } else if (name === 'node-http') {
    const body = await page(upstream)
    const { createServer } = await import('node:http')
    const srv = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': body.length, age: '1', 'x-cache': 'HIT', 'cache-status': 'bare; hit' })
      res.end(body)
    })
    await new Promise<void>(resolve => srv.listen(port, '127.0.0.1', resolve))
  } else if (name === 'fastify') {
    const body = await page(upstream)
    const { default: Fastify } = await import('fastify')
    const app = Fastify()
    app.get('/fast', (_req, reply) => {
      reply.header('content-type', 'text/html; charset=utf-8').header('age', '1').header('x-cache', 'HIT').header('cache-status', 'bare; hit').send(body)
    })
    await app.listen({ host: '127.0.0.1', port })
  } else if (name === 'hit') {
    await startSidecarRole(port, upstream, { cache: { enabled: true, store: 'memory', rules: [{ name: 'fast', path: '/fast', ttl: '1h', override: true }] } })
  } else if (name === 'pass') {
    await startSidecarRole(port, upstream)
  } else {
    const store = name.slice('rl-'.length)
    await startSidecarRole(port, upstream, {
      redis: store === 'redis' ? { enabled: true, url: REDIS_URL, keyPrefix: prefix } : { enabled: false },
      rateLimit: store === 'off' ? { enabled: false } : { enabled: true, store }
    })
  }
  announceReady(name)
}

async function redisUp (): Promise<boolean> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null })
  try {
    await client.connect()
    await client.ping()
    return true
  } catch {
    return false
  } finally {
    client.disconnect()
  }
}

interface Party { name: string, url: string, pid?: number, script?: string, runs: WrkResult[], cpuUs: number[] }

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/hot-path',
    summary: 'Every hot path of the sidecar against its yardstick in one run (rounds interleaved, medians of per-round ratios): bare node:http and Fastify, cache hit vs nginx proxy_cache, pass-through vs nginx, rate limiting off / memory / Redis. Needs wrk.',
    options: {
      rounds: { type: 'int', default: 3, description: 'interleaved rounds; figures are medians' },
      seconds: { type: 'int', default: 3, description: 'seconds of load per party and round (wrk -d)' },
      connections: { type: 'int', default: 64, description: 'connections the load generator keeps open (wrk -c)' },
      only: { type: 'string', placeholder: '<role,role>', description: 'run only these parties: node-http, fastify, hit, nginx-cache, pass, nginx-pass, rl-off, rl-memory, rl-redis (default: all)' },
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
  const only = values.only === undefined ? null : new Set(values.only.split(','))
  const wanted = (roleName: string): boolean => only === null || only.has(roleName)
  const dir = mkdtempSync(join(tmpdir(), 'sipup-hot-path-'))
  const clients = join(dir, 'clients.lua')
  writeFileSync(clients, manyClientsScript(CLIENTS))
  const prefix = `sipup-bench:hot:${process.pid}:`
  const withRedis = await redisUp()
  const po = await freePort()
  const upstream = `http://127.0.0.1:${po}`
  const procs: Started[] = []
  const parties: Party[] = []
  const add = async (name: string, roleName: string, script?: string): Promise<void> => {
    if (!wanted(roleName)) return
    const port = await freePort()
    const p = await startProcess(SELF, ['--role', roleName, '--port', String(port), '--upstream', upstream, '--prefix', prefix], new RegExp(`ready ${roleName}`))
    procs.push(p)
    parties.push({ name, url: `http://127.0.0.1:${port}/fast`, pid: p.child.pid, script, runs: [], cpuUs: [] })
  }
  const addNginx = async (name: string, cache: boolean): Promise<boolean> => {
    if (!wanted(cache ? 'nginx-cache' : 'nginx-pass')) return true
    const port = await freePort()
    const g = startNginx({ dir, port, upstreamPort: po, cache })
    if (g === null) return false
    procs.push(g)
    parties.push({ name, url: `http://127.0.0.1:${port}/fast`, runs: [], cpuUs: [] })
    return true
  }
  try {
    procs.push(await startProcess(SELF, ['--role', 'origin', '--port', String(po)], /ready origin/))
    await add('bare node:http', 'node-http')
    await add('bare Fastify', 'fastify')
    await add('sidecar hit', 'hit')
    const nginx = await addNginx('nginx proxy_cache', true)
    await add('sidecar pass-through', 'pass')
    if (nginx) await addNginx('nginx pass-through', false)
    await add('sidecar rate limit off', 'rl-off', clients)
    await add('sidecar rate limit memory', 'rl-memory', clients)
    if (withRedis) await add('sidecar rate limit Redis', 'rl-redis', clients)
    for (const p of parties) await waitFor(p.url).catch((err: Error) => { throw new Error(`${p.name}: ${err.message}`) })
    process.stderr.write('warm-up (2 s each)\n')
    for (const p of parties) await wrk(p.url, { connections, seconds: 2, script: p.script })
    for (let r = 0; r < rounds; r++) {
      for (const p of parties) {
        const c0 = cpuMs(p.pid)
        const res = await wrk(p.url, { connections, seconds, script: p.script })
        p.cpuUs.push((cpuMs(p.pid) - c0) * 1000 / (res.rps * seconds))
        p.runs.push(res)
        process.stderr.write(`  round ${r + 1}/${rounds} ${p.name.padEnd(28)} ${res.rps.toFixed(0).padStart(7)} req/s${res.errors > 0 ? `  errors ${res.errors}` : ''}\n`)
      }
    }
    console.log(`bench/hot-path: GET /fast (4 KB page), wrk -t1 -c${connections} -d${seconds}s, ${rounds} interleaved rounds, medians; ` +
      `rate-limit parties from ${CLIENTS} client IPs`)
    if (!nginx) console.log('nginx: not installed (apt-get install nginx), skipped')
    if (!withRedis) console.log(`Redis: not reachable at ${REDIS_URL}, its party skipped`)
    console.log(`${'target'.padEnd(30)} ${'req/s'.padStart(9)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'CPU µs/req'.padStart(11)}`)
    for (const p of parties) {
      const cpu = p.pid === undefined ? '' : median(p.cpuUs).toFixed(1)
      console.log(`${p.name.padEnd(30)} ${median(p.runs.map(x => x.rps)).toFixed(0).padStart(9)} ${median(p.runs.map(x => x.p99ms)).toFixed(2).padStart(8)} ` +
        `${String(p.runs.reduce((a, x) => a + x.errors, 0)).padStart(7)} ${cpu.padStart(11)}`)
    }
    const byName = (name: string): Party | undefined => parties.find(p => p.name === name)
    const ratio = (a: string, b: string): number => {
      const pa = byName(a)
      const pb = byName(b)
      if (pa === undefined || pb === undefined) return NaN
      return median(pa.runs.map((x, i) => x.rps / pb.runs[i].rps))
    }
    const cpu = (name: string): number => median(byName(name)?.cpuUs ?? [])
    const hit = ratio('sidecar hit', 'bare Fastify')
    const pass = ratio('sidecar pass-through', 'nginx pass-through')
    const redis = ratio('sidecar rate limit Redis', 'sidecar rate limit off')
    const limiterUs = cpu('sidecar rate limit memory') - cpu('sidecar rate limit off')
    console.log(`bare node:http / bare Fastify: ${ratio('bare node:http', 'bare Fastify').toFixed(2)}x`)
    console.log(`sidecar hit / bare Fastify: ${hit.toFixed(2)}x (target >= 1.2x); / bare node:http ${ratio('sidecar hit', 'bare node:http').toFixed(2)}x; ` +
      `/ nginx proxy_cache ${ratio('sidecar hit', 'nginx proxy_cache').toFixed(2)}x`)
    console.log(`sidecar pass-through / nginx pass-through: ${pass.toFixed(2)}x (target >= 0.7x)`)
    console.log(`rate limit memory / off: ${ratio('sidecar rate limit memory', 'sidecar rate limit off').toFixed(2)}x; Redis / off: ${redis.toFixed(2)}x (target >= 0.8x)`)
    console.log(`limiter CPU per request (memory - off): ${limiterUs.toFixed(1)} µs (target <= 10); Redis - off: ${(cpu('sidecar rate limit Redis') - cpu('sidecar rate limit off')).toFixed(1)} µs`)
    console.log(`headline: hit ${hit.toFixed(2)}x bare Fastify (>= 1.2), pass-through ${pass.toFixed(2)}x nginx (>= 0.7), ` +
      `limiter ${limiterUs.toFixed(1)} µs memory (<= 10), Redis ${redis.toFixed(2)}x off (>= 0.8)`)
  } finally {
    await Promise.all(procs.map(p => p.stop()))
    rmSync(dir, { recursive: true, force: true })
    if (withRedis) {
      const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 })
      try {
        await client.connect()
        await deleteByPrefix(client, prefix)
      } catch { /* Redis gone: nothing to clean */ } finally {
        client.disconnect()
      }
    }
  }
}

main().catch(err => { console.error(err); process.exit(1) })
