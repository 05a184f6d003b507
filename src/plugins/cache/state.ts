// Per-request cache state, on the request (and on the dispatch options of our own background refreshes) under
// kCacheState. Every field is set in the constructor so the shape never changes.
import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyRequest } from 'fastify'
import type { CompiledRule } from './rules.js'
import type { CacheEntry } from './types.js'

/** Forward untouched (the request's response can't be stored). */
export const PASS = 0
/** Forward and store what comes back if it is storable (a miss or a revalidation). */
export const STORE = 1
/** An unsafe method: purge the URL (and Location / Content-Location) when it succeeds (RFC 9111 §4.4). */
export const INVALIDATE = 2
export type Mode = typeof PASS | typeof STORE | typeof INVALIDATE

export class CacheState {
  mode: Mode
  /** Lookup key (before a response Vary selects a variant). */
  key: string
  scheme: string
  host: string
  /** The raw request target, path and query. */
  url: string
  rule: CompiledRule | null
  /** The stale entry being revalidated; served when the origin fails inside its stale-if-error window. */
  stale: CacheEntry | null
  /** This request leads a coalescing flight and must settle it. */
  leader: boolean
  /** Validators of `stale` were added to the origin request. */
  conditional: boolean
  /** Session cookies are removed from the origin request (an anonymous visitor with a session, see runtime). */
  dropSession: boolean
  /** Null for background refreshes (nobody waits for them). */
  request: FastifyRequest | null
  headers: IncomingHttpHeaders

  constructor (mode: Mode, key: string, scheme: string, host: string, url: string, rule: CompiledRule | null,
    request: FastifyRequest | null, headers: IncomingHttpHeaders) {
    this.mode = mode
    this.key = key
    this.scheme = scheme
    this.host = host
    this.url = url
    this.rule = rule
    this.stale = null
    this.leader = false
    this.conditional = false
    this.dropSession = false
    this.request = request
    this.headers = headers
  }
}
