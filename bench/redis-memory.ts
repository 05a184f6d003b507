// bench/redis-memory: Redis memory taken by the rate limiter's keys per 10,000 users, with the seed's limits
// (100/min per IP, 1,000/h per user, the login rule). One sidecar (in this process, requests through inject) with
// the Redis store under its own key prefix; each user sends one request from its own IP, first anonymous visitors,
// then logged-in ones (own IP and own PHPSESSID): the rate limiter's keys are
// GCRA buckets (one key per IP, per user, per rule bucket), each expiring on its own once full again. Counted as the sum of MEMORY USAGE over the keys under the prefix
// (exact for our keys, whatever else the shared Redis holds), and INFO used_memory before/after (noisy: other
// clients write to the same Redis).
//   npm run build && node dist/bench/redis-memory.js [--users 10000]
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/sidecar-config.js'
import { deleteByPrefix } from './lib/redis-keys.js'
import { benchArgs } from './lib/args.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

async function keyBytes (client: Redis, prefix: string): Promise<{ keys: number, bytes: number }> {
  let cursor = '0'
  let keys = 0
  let bytes = 0
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    const sizes = await Promise.all(batch.map(async k => await client.memory('USAGE', k, 'SAMPLES', '0') ?? 0))
    keys += batch.length
    bytes += sizes.reduce((s, n) => s + Number(n), 0)
  } while (cursor !== '0')
  return { keys, bytes }
}

async function usedMemory (client: Redis): Promise<number> {
  const info = await client.info('memory')
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN)
}

function ipOf (i: number, base: number): string {
  return `10.${base + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`
}

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/redis-memory',
    summary: 'Redis memory taken by the rate limiter\'s keys per 10,000 users with the seed\'s limits (MEMORY USAGE over the run\'s keys, and INFO used_memory before/after). Needs Redis.',
    options: {
      users: { type: 'int', default: 10_000, description: 'users, each one request from its own IP (anonymous, then logged in)' }
    }
  })
  const { users } = values
  const origin = http.createServer((_req, res) => { res.end('ok') })
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve))
  const prefix = `sipup-bench:redis-memory:${process.pid}:`
  const client = new Redis(REDIS_URL)
  const { config } = loadConfig({
    env: {},
    overrides: {
      server: { host: '127.0.0.1', port: 0 },
      upstream: { url: `http://127.0.0.1:${(origin.address() as AddressInfo).port}` },
      redis: { enabled: true, url: REDIS_URL, keyPrefix: prefix },
      rateLimit: { enabled: true, store: 'redis' },
      log: { level: 'silent', requests: false }
    }
  })
  const app = await buildApp(config, { logger: pino({ level: 'silent' }) })
  await app.ready()
  try {
    const send = async (n: number, base: number, session: boolean): Promise<void> => {
      const batch = 200
      for (let i = 0; i < n; i += batch) {
        await Promise.all(Array.from({ length: Math.min(batch, n - i) }, async (_, j) => {
          const headers: Record<string, string> = { 'x-forwarded-for': ipOf(i + j, base) }
          if (session) headers.cookie = `PHPSESSID=${(i + j).toString(36).padStart(26, 'u')}`
          const res = await app.inject({ method: 'GET', url: `/page/${i + j}`, headers })
          if (res.statusCode !== 200) throw new Error(`request ${i + j} answered ${res.statusCode}`)
        }))
      }
    }
    const before = await usedMemory(client)
    await send(users, 0, false)
    const anon = await keyBytes(client, prefix)
    const mid = await usedMemory(client)
    await send(users, 100, true)
    const all = await keyBytes(client, prefix)
    const after = await usedMemory(client)
    const loggedIn = { keys: all.keys - anon.keys, bytes: all.bytes - anon.bytes }
    const per10k = (b: number): string => `${(b / users * 10_000 / 1024 / 1024).toFixed(2)} MiB`
    // GCRA keys expire once their bucket is full again (a 1,000/h user key after 3.6 s per request used), so some
    // of a scenario's keys may be gone by the count: the worst case is every key of every user alive at once.
    const perKey = all.bytes / all.keys
    const worst = (perKey * 2 * 10_000) / 1024 / 1024
    console.log(`users per scenario: ${users}, seed limits (ip 100/1m, user 1000/1h, login rule), Redis store, prefix ${prefix}`)
    console.log(`anonymous: ${anon.keys} keys, ${anon.bytes} B by MEMORY USAGE = ${(anon.bytes / users).toFixed(0)} B/user, ${per10k(anon.bytes)} per 10k; used_memory +${mid - before} B`)
    console.log(`logged-in: ${loggedIn.keys} keys, ${loggedIn.bytes} B by MEMORY USAGE = ${(loggedIn.bytes / users).toFixed(0)} B/user, ${per10k(loggedIn.bytes)} per 10k; used_memory +${after - mid} B`)
    console.log(`per live key: ${perKey.toFixed(0)} B; a logged-in user holds at most 2 (per-IP, per-user) plus 2 while banned or striking`)
    console.log(`Redis memory for rate-limit keys per 10,000 users: ${per10k(anon.bytes)} anonymous, ${per10k(loggedIn.bytes)} logged-in as measured, ${worst.toFixed(2)} MiB with every user's 2 keys alive`)
  } finally {
    await app.close()
    await deleteByPrefix(client, prefix)
    await client.quit()
    origin.close()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
