// Lock functions for the engine's LockFn contract: one on Redis (SET NX PX, released only by its holder, so an
// expired-and-retaken lock is never released by the old holder) for a fleet, and one in process for a single
// instance or tests. The core's fleet lock replaces these once it exists.
import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { HeldLock, LockFn } from './types.js'

const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"

export function redisLock (client: Redis, prefix: string): LockFn {
  return async (name, ttlMs) => {
    const key = `${prefix}${name}`
    const token = randomBytes(12).toString('hex')
    const ok = await client.set(key, token, 'PX', Math.max(1, Math.round(ttlMs)), 'NX')
    if (ok !== 'OK') return null
    return { release: async () => { await client.eval(RELEASE, 1, key, token) } }
  }
}

/** In-process locks: names held until released or `ttlMs` passed (by `now`). */
export function localLock (now: () => number = Date.now): LockFn {
  const held = new Map<string, { until: number, token: object }>()
  return async (name, ttlMs) => {
    const t = now()
    const have = held.get(name)
    if (have !== undefined && have.until > t) return null
    const token = {}
    held.set(name, { until: t + ttlMs, token })
    const lock: HeldLock = {
      release: async () => { if (held.get(name)?.token === token) held.delete(name) }
    }
    return lock
  }
}
