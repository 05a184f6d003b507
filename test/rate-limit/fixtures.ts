// Shared set-up for the rate-limit end-to-end tests: an origin that counts what reaches it, a sidecar with the
// plugin on (memory store, or Redis under a unique key prefix cleaned up afterwards), and a small client.
import type { Test } from 'tap'
import { Redis } from 'ioredis'
import { request } from 'undici'
import { REDIS_URL, uniquePrefix } from '../helpers/services.js'
import { startOrigin, startSidecar, type Origin, type Overrides, type Sidecar } from '../helpers/sidecar.js'

export interface Res { status: number, headers: Record<string, string>, body: string }

export interface Setup {
  sidecar: Sidecar
  origin: Origin
  prefix: string
  send (path: string, opts?: { method?: string, headers?: Record<string, string>, body?: string }): Promise<Res>
  /** Requests that reached the origin. */
  forwarded (): number
}

/** Only the per-IP tier (no user tier, no rules) unless the test asks for more. */
export const IP_ONLY: Overrides = { user: { enabled: false }, rules: [] }

export async function deleteKeys (prefix: string): Promise<void> {
  const client = new Redis(REDIS_URL, { lazyConnect: true })
  try {
    await client.connect()
    const keys = await client.keys(`${prefix}*`)
    if (keys.length > 0) await client.del(...keys)
  } finally {
    client.disconnect()
  }
}

export async function startOriginFor (t: Test): Promise<Origin> {
  const origin = await startOrigin((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      res.setHeader('content-type', 'text/plain')
      res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`)
    })
  })
  t.after(() => origin.close())
  return origin
}

export async function send (base: string, path: string, opts: { method?: string, headers?: Record<string, string>, body?: string } = {}): Promise<Res> {
  const res = await request(`${base}${path}`, { method: (opts.method ?? 'GET') as 'GET', headers: opts.headers, body: opts.body })
  const body = await res.body.text()
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(res.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v)
  return { status: res.statusCode, headers, body }
}

export async function setup (t: Test, rateLimit: Overrides, opts: { redis?: boolean, overrides?: Overrides, origin?: Origin, prefix?: string } = {}): Promise<Setup> {
  const origin = opts.origin ?? await startOriginFor(t)
  const prefix = opts.prefix ?? uniquePrefix('rl')
  const redis = opts.redis === true ? { enabled: true, url: REDIS_URL, keyPrefix: prefix } : { enabled: false }
  const sidecar = await startSidecar({
    upstream: { url: origin.url },
    redis,
    rateLimit: { enabled: true, store: opts.redis === true ? 'redis' : 'memory', ...rateLimit },
    ...opts.overrides
  })
  t.after(async () => {
    await sidecar.close()
    if (opts.redis === true) await deleteKeys(prefix)
  })
  const before = origin.requests.length
  return {
    sidecar,
    origin,
    prefix,
    send: (path, o) => send(sidecar.url, path, o),
    forwarded: () => origin.requests.length - before
  }
}

/** X-Forwarded-For as sent by the trusted proxy (loopback is trusted by default): picks the client IP. */
export function from (ip: string, headers: Record<string, string> = {}): Record<string, string> {
  return { 'x-forwarded-for': ip, ...headers }
}

/** The fields of a Redis counter key (tier name, or `!` for a ban mark, to ms), decoded by Redis itself (the value
 * is a MessagePack map); null when the key is missing. */
export async function counterFields (client: Redis, key: string): Promise<Record<string, number> | null> {
  const flat = await client.eval(`local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local o = {}
for k, v in pairs(cmsgpack.unpack(raw)) do o[#o + 1] = k; o[#o + 1] = string.format('%.17g', v) end
return o`, 1, key) as string[] | null
  if (flat === null) return null
  const out: Record<string, number> = {}
  for (let i = 0; i < flat.length; i += 2) out[flat[i]] = Number(flat[i + 1])
  return out
}
