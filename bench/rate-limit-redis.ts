// bench/rate-limit-redis: the proxy route's rate-limit hook alone with the Redis store, in this process, against a
// redis-server of its own (so its CPU counts this load alone): CPU µs per request of this process (hook, limiter,
// store, ioredis) and of the Redis server, with the memory store's hook beside it as the yardstick (the hook's own
// work without Redis). Anonymous visitors from 50,000 IPs, seed limits, nothing limited: the allowed path.
// `--batch` requests are started in one event-loop turn (they share one store call, as requests arriving together
// do in the sidecar), then the next batch once all are decided. On 2 shared cores both processes' CPU decides
// bench/hot-path's Redis / off ratio, so both are printed, and their sum.
//   npm run build && node dist/bench/rate-limit-redis.js [--requests 100000] [--rounds 5] [--batch 4,16,64]
// Needs redis-server on PATH.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Redis } from 'ioredis'
import { Registry } from 'prom-client'
import { loadConfig } from '../src/sidecar-config.js'
import { createRateLimitHook } from '../src/plugins/rate-limit/hook.js'
import { Limiter } from '../src/plugins/rate-limit/limiter.js'
import { MemoryStore } from '../src/plugins/rate-limit/memory-store.js'
import { RedisStore } from '../src/plugins/rate-limit/redis-store.js'
import { RateLimitMetrics } from '../src/plugins/rate-limit/metrics.js'
import { resolveParams } from '../src/plugins/rate-limit/options.js'
import type { RequestField, RedisClient } from '../src/core/types.js'
import { SidecarRequestState } from '../src/core/sidecar.js'
import { boundCommands } from '../src/core/redis-timeout.js'
import { cpuMs } from './lib/cpu.js'
import { freePort } from './lib/free-port.js'
import { stopProcess } from './lib/processes.js'
import { median } from './lib/wrk.js'
import { benchArgs } from './lib/args.js'

const IPS = 50_000
/** Sockets the clients share, as bench/hot-path's wrk connections (per-connection memos don't help). */
const SOCKETS = 64
/** The core's default redis.commandTimeout. */
const COMMAND_TIMEOUT_MS = 1000

interface Fake { request: FastifyRequest, reply: FastifyReply, state: SidecarRequestState }

function fakes (): Fake[] {
  const sockets = Array.from({ length: SOCKETS }, () => new Socket())
  return Array.from({ length: IPS }, (_, i) => {
    const raw = new IncomingMessage(sockets[i % SOCKETS])
    raw.method = 'GET'
    raw.url = '/fast'
    const state = new SidecarRequestState('proxy', 1)
    const request = { sidecar: state, ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, headers: {}, method: 'GET', url: '/fast', raw } as unknown as FastifyRequest
    const reply = { raw: new ServerResponse(raw) } as unknown as FastifyReply
    return { request, reply, state }
  })
}

async function privateRedis (dir: string): Promise<{ url: string, pid: number | undefined, stop: () => Promise<void> }> {
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
  const url = `redis://127.0.0.1:${port}`
  for (let i = 0; i < 50; i++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null })
    try {
      await probe.connect()
      await probe.ping()
      return { url, pid: child.pid, stop: () => stopProcess(child) }
    } catch { /* not up yet */ } finally {
      probe.disconnect()
    }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  child.kill('SIGKILL')
  throw new Error('redis-server did not come up')
}

type Hook = ReturnType<typeof createRateLimitHook>

/** Runs `requests` requests through the hook, `batch` per event-loop turn. */
async function drive (hook: Hook, set: Fake[], requests: number, batch: number, offset: number): Promise<void> {
  let i = offset
  for (let done = 0; done < requests; done += batch) {
    const ps = new Array<Promise<void>>(batch)
    for (let b = 0; b < batch; b++) {
      const f = set[i++ % set.length]
      f.state.responseHeaders = null
      ps[b] = new Promise<void>((resolve, reject) => { hook(f.request, f.reply, err => { if (err === undefined) resolve(); else reject(err) }) })
    }
    await Promise.all(ps)
  }
}

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/rate-limit-redis',
    summary: 'The proxy route\'s rate-limit hook with the Redis store (a redis-server of its own) vs the memory store: CPU µs per request of this process and of the Redis server, anonymous visitors, seed limits.',
    options: {
      requests: { type: 'int', default: 100_000, description: 'requests per round, store and batch size' },
      rounds: { type: 'int', default: 5, description: 'rounds after the warm-up; figures are medians' },
      batch: { type: 'string', default: '4,16,64', placeholder: '<n,n>', description: 'requests started per event-loop turn (comma-separated)' }
    }
  })
  const { requests, rounds } = values
  const batches = values.batch.split(',').map(Number)
  const dir = mkdtempSync(join(tmpdir(), 'sipup-bench-rlr-'))
  const server = await privateRedis(dir)
  const client = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null })
  boundCommands(client, COMMAND_TIMEOUT_MS)
  try {
    await new Promise<void>(resolve => client.once('ready', resolve))
    const { config } = loadConfig({ env: {}, overrides: { redis: { enabled: false }, rateLimit: { enabled: true, store: 'memory' } } })
    const params = resolveParams(config.rateLimit, config.origin)
    const outcome: RequestField = { name: 'rateLimit', index: 0, log: true, get: s => s.fields[0] ?? null, set: (s, v) => { s.fields[0] = v } }
    const hookFor = (shared: RedisStore | null): Hook => createRateLimitHook({
      params,
      limiter: new Limiter({
        shared,
        sharedReady: () => client.status === 'ready',
        local: new MemoryStore({ maxKeys: params.memoryKeys, ban: params.ban }),
        failClosed: false,
        bans: params.ban !== null,
        maxKeys: params.memoryKeys,
        onOutage: err => { throw err },
        onRecover: () => {}
      }),
      metrics: new RateLimitMetrics(new Registry(), params.tierNames),
      keyPrefix: 'bench:rl:',
      // The real clock: Redis expires the counters in real time, so a revisited IP finds its key or not as in the sidecar.
      now: Date.now,
      outcome
    })
    const memory = hookFor(null)
    const redis = hookFor(new RedisStore({ client: client as unknown as RedisClient, prefix: 'bench:rl:', ban: params.ban }))
    const set = fakes()
    const rows: { name: string, batch: number, node: number[], server: number[] }[] = []
    for (const batch of batches) {
      rows.push({ name: 'memory', batch, node: [], server: [] }, { name: 'redis', batch, node: [], server: [] })
    }
    let offset = 0
    for (let r = 0; r <= rounds; r++) {
      for (const row of rows) {
        const hook = row.name === 'memory' ? memory : redis
        const c0 = process.cpuUsage()
        const s0 = cpuMs(server.pid)
        await drive(hook, set, requests, row.batch, offset)
        const cpu = process.cpuUsage(c0)
        const s1 = cpuMs(server.pid)
        offset += requests
        if (r === 0) continue // warm-up
        row.node.push((cpu.user + cpu.system) / requests)
        row.server.push((s1 - s0) * 1000 / requests)
      }
    }
    console.log(`bench/rate-limit-redis: the hook alone, anonymous GET from ${IPS} IPs over ${SOCKETS} sockets, seed limits, ` +
      `${requests} requests x ${rounds} rounds (after a warm-up), medians of CPU µs per request`)
    console.log(`${'store'.padEnd(8)} ${'batch'.padStart(5)} ${'node'.padStart(7)} ${'server'.padStart(7)} ${'sum'.padStart(7)}   node per round`)
    for (const row of rows) {
      const node = median(row.node)
      const srv = row.name === 'memory' ? 0 : median(row.server)
      console.log(`${row.name.padEnd(8)} ${String(row.batch).padStart(5)} ${node.toFixed(2).padStart(7)} ${srv.toFixed(2).padStart(7)} ${(node + srv).toFixed(2).padStart(7)}   ${row.node.map(x => x.toFixed(2)).join(' ')}`)
    }
    for (const batch of batches) {
      const m = rows.find(x => x.name === 'memory' && x.batch === batch)
      const d = rows.find(x => x.name === 'redis' && x.batch === batch)
      if (m === undefined || d === undefined) continue
      console.log(`batch ${batch}: Redis store costs ${(median(d.node) - median(m.node)).toFixed(2)} µs more in this process than the memory store, ` +
        `plus ${median(d.server).toFixed(2)} µs in the Redis server`)
    }
  } finally {
    client.disconnect()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch(err => { console.error(err); process.exit(1) })
