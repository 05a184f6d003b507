// The default per-tick claim: the first caller's SET NX wins, everyone else sees the key and backs off.
import type { Redis } from 'ioredis'
import type { ClaimFn } from './types.js'

export function redisClaim (client: Redis): ClaimFn {
  return async (key, ttlMs) => (await client.set(key, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK'
}
