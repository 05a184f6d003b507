// The cache plugin's public contract: the stored entry, the store interface every backend implements, and the
// Fastify type augmentation.
import type { EventEmitter } from 'node:events'
import type { CacheConfig } from './schema.js'
import type { DeepReadonly } from '../../config/deep-readonly.js'

/** One stored response (or a Vary marker that points at its variants). Plain data: stores may serialize it. */
export interface CacheEntry {
  /** The key it is stored under (URL part, scope parts, Vary'd parts). */
  key: string
  status: number
  /** Stored response headers: lower-case names, no hop-by-hop headers, no Set-Cookie. The origin's Date is kept. */
  headers: Record<string, string | string[]>
  /** The body as the origin sent it (identity unless `headers['content-encoding']` says otherwise). */
  body: Buffer
  /** Brotli and gzip copies of an identity text body, or null. */
  br: Buffer | null
  gzip: Buffer | null
  /** ms since epoch when the response arrived. */
  responseTime: number
  /** Age in seconds the response already had when it arrived (its Age header). */
  initialAge: number
  /** ms since epoch: fresh before this. */
  freshUntil: number
  /** ms since epoch: may be served stale while a background refresh runs, until this (0 = never). */
  swrUntil: number
  /** ms since epoch: may be served stale when the origin fails, until this (0 = never). */
  sieUntil: number
  /** ms since epoch: the store drops it after this. */
  expiresAt: number
  /** Requests carrying Authorization may be served it (public, s-maxage, must-revalidate). */
  authOk: boolean
  /** Surrogate-Key / Cache-Tag values. */
  tags: string[]
  /** Set on a Vary marker: the lower-cased request header names that select the variant. */
  vary: string[] | null
  /** The rule name that stored it ('default' without a rule). */
  rule: string
  /** The targeted cache-control value (RFC 9213: Sipup-/CDN-Cache-Control) the cache obeyed instead of the
   * stored Cache-Control, kept for revalidation; absent when the origin sent none. */
  targeted?: string
}

/** What a purge removes. Keys start with the path and query, so a path prefix reaches every host and scope. */
export type PurgeSelector =
  | { kind: 'prefix', prefix: string }
  | { kind: 'tags', tags: string[] }
  /** Entries whose path and query (the key's first part, every host) match the pattern. Checked for catastrophic
   * backtracking before it reaches a store (purge-regex.ts). */
  | { kind: 'regex', source: string }

export type MaybePromise<T> = T | Promise<T>

/**
 * A cache backend, modelled on undici's CacheStore (`undici/types/cache-interceptor.d.ts`): `get` returns a value
 * or a promise, a store declines a write silently (too large, full, down), and a failing store degrades to a miss:
 * `get` never rejects, `set`/`purge` never reject. Unlike undici's `createWriteStream`, writes are whole entries,
 * because the body is compressed once, after the response ended, before the entry is committed.
 */
export interface CacheStore extends Partial<Pick<EventEmitter, 'on' | 'once' | 'off'>> {
  readonly name: string
  get (key: string): MaybePromise<CacheEntry | undefined>
  set (entry: CacheEntry): MaybePromise<void>
  /** Removes entries whose key starts with the prefix, or that carry one of the tags; resolves to how many. */
  purge (selector: PurgeSelector): MaybePromise<number>
  close (): MaybePromise<void>
  /** Bytes and entries held in process memory (for metrics), when the store knows. */
  readonly size?: { bytes: number, entries: number }
}

export type CachePluginOptions = { config: DeepReadonly<CacheConfig> }

declare module 'fastify' {
  interface FastifyInstance {
    /** The response cache's store and purge entry point (null until the cache plugin registers). */
    sidecarCache: SidecarCache | null
  }
}

export interface SidecarCache {
  readonly store: CacheStore
  /** Purge by URLs (absolute or path), a path prefix, tags or a regex over path and query; every instance drops
   * its copies. */
  purge (what: { urls?: string[], prefix?: string, tags?: string[], regex?: string }): Promise<number>
}
