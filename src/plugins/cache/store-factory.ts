// Builds the configured store. Without Redis (disabled in config) `redis` and `tiered` run from memory alone.
import type { RedisClient } from '../../core/types.js'
import type { RedisHandle } from '../../core/types.js'
import { MemoryStore } from './memory-store.js'
import { RedisStore } from './redis-store.js'
import { TieredStore } from './tiered-store.js'
import type { CacheStore } from './types.js'

export interface StoreChoice {
  store: CacheStore
  /** Plain words for the feature report. */
  detail: string
  /** Runs the Redis index pruning, when there is one. */
  prune: (() => Promise<void>) | null
  subscriber: RedisClient | null
}

export interface StoreFactoryOptions {
  kind: 'memory' | 'redis' | 'tiered'
  maxBytes: number
  maxObjectSize: number
  redis: RedisHandle
  onError: (err: Error) => void
  onSuccess: () => void
}

export function createStore (o: StoreFactoryOptions): StoreChoice {
  const memory = (): MemoryStore => new MemoryStore({ maxBytes: o.maxBytes, maxObjectSize: o.maxObjectSize })
  if (o.kind === 'memory' || o.redis.client === null) {
    const why = o.kind === 'memory' ? '' : ` (cache.store is '${o.kind}' but ${o.redis.reason ?? 'Redis is off'})`
    return { store: memory(), detail: `memory store, per instance${why}`, prune: null, subscriber: null }
  }
  const l2 = new RedisStore({
    client: () => o.redis.isReady() ? o.redis.client : null,
    key: (...parts) => o.redis.key(...parts),
    maxObjectSize: o.maxObjectSize,
    onError: o.onError,
    onSuccess: o.onSuccess
  })
  if (o.kind === 'redis') return { store: l2, detail: 'Redis store shared by all instances', prune: () => l2.prune(), subscriber: null }
  const subscriber = o.redis.duplicate()
  const store = new TieredStore({
    l1: memory(),
    l2,
    l2Ready: () => o.redis.isReady(),
    publisher: () => o.redis.isReady() ? o.redis.client : null,
    subscriber,
    channel: o.redis.key('cache', 'purge'),
    onError: o.onError
  })
  return { store, detail: 'memory L1 in front of Redis L2; purges broadcast to every instance', prune: () => store.prune(), subscriber }
}
