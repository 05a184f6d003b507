// Redis store shared by every sidecar instance. One binary value per entry under a digest of its key (bounded
// key length), with a TTL; a lexicographic index (ZSET, score 0) of full keys serves prefix purges, and one SET
// per tag serves tag purges. A failing Redis degrades every call to a miss / no-op and reports through onError.
import type { RedisClient } from '../../core/types.js'
import { digest } from './cache-key.js'
import { deserialize, serialize } from './entry-size.js'
import type { CacheEntry, CacheStore, PurgeSelector } from './types.js'
import { DEFAULT_MAX_OBJECT_SIZE } from './memory-store.js'
import { keyUrl, purgeRegexOrNull, type PurgeRegex } from './purge-regex.js'

export interface RedisStoreOptions {
  /** The shared command connection (null when Redis is disabled: every call is a miss). */
  client: () => RedisClient | null
  /** Builds a namespaced Redis key, e.g. `fastify.sidecar.redis.key`. */
  key: (...parts: string[]) => string
  /** @default 4 MB */
  maxObjectSize?: number
  /** Called on every failed command (the caller logs once). */
  onError?: (err: Error) => void
  /** Called on every successful command (the caller clears its outage state). */
  onSuccess?: () => void
  now?: () => number
}

const PRUNE_BATCH = 500
/** Index members one ZSCAN step returns (a hint to Redis). */
const ZSCAN_COUNT = 1000

export class RedisStore implements CacheStore {
  readonly name = 'redis'
  readonly maxObjectSize: number
  #opts: RedisStoreOptions
  #index: string
  #expiry: string
  #now: () => number

  constructor (opts: RedisStoreOptions) {
    if (typeof opts.client !== 'function') throw new TypeError(`expected opts.client to be a function, got ${typeof opts.client}`)
    this.#opts = opts
    this.maxObjectSize = opts.maxObjectSize ?? DEFAULT_MAX_OBJECT_SIZE
    this.#index = opts.key('cache', 'index')
    this.#expiry = opts.key('cache', 'expiry')
    this.#now = opts.now ?? Date.now
  }

  #entryKey (key: string): string { return this.#opts.key('cache', 'e', digest(key)) }
  #tagKey (tag: string): string { return this.#opts.key('cache', 't', tag) }

  #fail (err: unknown): void {
    this.#opts.onError?.(err instanceof Error ? err : new Error(String(err)))
  }

  async get (key: string): Promise<CacheEntry | undefined> {
    const client = this.#opts.client()
    if (client === null) return undefined
    try {
      const buf = await client.getBuffer(this.#entryKey(key))
      this.#opts.onSuccess?.()
      if (buf === null) return undefined
      const entry = deserialize(buf)
      // The digest could collide; the stored key settles it.
      if (entry === undefined || entry.key !== key || entry.expiresAt <= this.#now()) return undefined
      return entry
    } catch (err) {
      this.#fail(err)
      return undefined
    }
  }

  async set (entry: CacheEntry): Promise<void> {
    const client = this.#opts.client()
    if (client === null || entry.body.length > this.maxObjectSize) return
    const ttl = entry.expiresAt - this.#now()
    if (ttl <= 0) return
    try {
      const m = client.multi()
        .set(this.#entryKey(entry.key), serialize(entry), 'PX', ttl)
        .zadd(this.#index, 0, entry.key)
        .zadd(this.#expiry, entry.expiresAt, entry.key)
      for (const t of entry.tags) {
        m.sadd(this.#tagKey(t), entry.key)
        // A tag set lives as long as its longest-lived member could.
        m.pexpire(this.#tagKey(t), ttl, 'GT')
        m.pexpire(this.#tagKey(t), ttl, 'NX')
      }
      await m.exec()
      this.#opts.onSuccess?.()
    } catch (err) {
      this.#fail(err)
    }
  }

  async purge (selector: PurgeSelector): Promise<number> {
    const client = this.#opts.client()
    if (client === null) return 0
    const re = selector.kind === 'regex' ? purgeRegexOrNull(selector.source) : null
    if (selector.kind === 'regex' && re === null) return 0
    try {
      let keys: string[]
      if (selector.kind === 'prefix') {
        const max = Buffer.concat([Buffer.from('[' + selector.prefix), Buffer.from([0xff])])
        keys = await client.zrangebylex(this.#index, '[' + selector.prefix, max)
      } else if (selector.kind === 'regex') {
        keys = await this.#matching(client, re as RegExp)
      } else {
        keys = []
        for (const t of selector.tags) keys.push(...await client.smembers(this.#tagKey(t)))
      }
      const n = await this.#delete(client, keys)
      if (selector.kind === 'tags' && selector.tags.length > 0) await client.del(...selector.tags.map(t => this.#tagKey(t)))
      this.#opts.onSuccess?.()
      return n
    } catch (err) {
      this.#fail(err)
      return 0
    }
  }

  /** Redis has no regex match: ZSCAN the key index in steps (other clients are served in between) and test here. */
  async #matching (client: RedisClient, re: PurgeRegex): Promise<string[]> {
    const out: string[] = []
    let cursor = '0'
    do {
      const [next, flat] = await client.zscan(this.#index, cursor, 'COUNT', ZSCAN_COUNT)
      cursor = next
      // ZSCAN replies member, score, member, score...
      for (let i = 0; i < flat.length; i += 2) if (re.test(keyUrl(flat[i]))) out.push(flat[i])
    } while (cursor !== '0')
    return out
  }

  async #delete (client: RedisClient, keys: string[]): Promise<number> {
    let n = 0
    for (let i = 0; i < keys.length; i += PRUNE_BATCH) {
      const batch = [...new Set(keys.slice(i, i + PRUNE_BATCH))]
      const res = await client.multi()
        .del(...batch.map(k => this.#entryKey(k)))
        .zrem(this.#index, ...batch)
        .zrem(this.#expiry, ...batch)
        .exec()
      n += Number(res?.[0]?.[1] ?? 0)
    }
    return n
  }

  /** Drops index members whose entries have expired (Redis expired the values themselves). */
  async prune (): Promise<void> {
    const client = this.#opts.client()
    if (client === null) return
    try {
      const keys = await client.zrangebyscore(this.#expiry, '-inf', this.#now(), 'LIMIT', 0, PRUNE_BATCH * 10)
      await this.#delete(client, keys)
    } catch (err) {
      this.#fail(err)
    }
  }

  close (): void {}
}
