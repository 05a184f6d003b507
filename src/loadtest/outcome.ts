// Classifies what happened to one request: the kind of transport error, and the cache outcome the response reports.
import type { IncomingHttpHeaders } from 'node:http'

export type ErrorKind = 'timeout' | 'reset' | 'refused' | 'fd-limit' | 'no-ports' | 'other'
export const ERROR_KINDS: readonly ErrorKind[] = ['timeout', 'reset', 'refused', 'fd-limit', 'no-ports', 'other']

const ERROR_KIND_BY_CODE: Record<string, ErrorKind> = {
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  ECONNREFUSED: 'refused',
  EMFILE: 'fd-limit',
  ENFILE: 'fd-limit',
  EADDRNOTAVAIL: 'no-ports'
}

export function errorKind (err: unknown): ErrorKind {
  let e: unknown = err
  // undici wraps socket errors; the root cause carries the errno code.
  for (let depth = 0; depth < 4 && e !== null && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && code in ERROR_KIND_BY_CODE) return ERROR_KIND_BY_CODE[code]
    e = (e as { cause?: unknown }).cause
  }
  return 'other'
}

export type CacheOutcome = 'hit' | 'stale' | 'miss' | 'bypass' | 'other' | 'none'
export const CACHE_OUTCOMES: readonly CacheOutcome[] = ['hit', 'stale', 'miss', 'bypass', 'other', 'none']

/** Reads `Cache-Status` (RFC 9211, the last member is the cache nearest the client) or else `X-Cache`. */
export function cacheOutcome (headers: IncomingHttpHeaders): CacheOutcome {
  const status = headers['cache-status']
  if (status !== undefined) return fromCacheStatus(Array.isArray(status) ? status.join(', ') : status)
  const x = headers['x-cache']
  if (x !== undefined) return fromXCache(Array.isArray(x) ? x[x.length - 1] : x)
  return 'none'
}

/**
 * The nearest cache's `Cache-Status` member without its cache name, parameters trimmed and joined by `; `
 * (`hit; collapsed`, `fwd=bypass; detail=context-unavailable`), or `X-Cache` lower-cased, or '' without either:
 * a small set of values per target, for counting answers by why they came (or didn't) from the cache.
 */
export function cacheDetail (headers: IncomingHttpHeaders): string {
  const status = headers['cache-status']
  if (status !== undefined) {
    const members = (Array.isArray(status) ? status.join(', ') : status).split(',')
    return members[members.length - 1].split(';').slice(1).map(p => p.trim().toLowerCase()).join('; ')
  }
  const x = headers['x-cache']
  if (x !== undefined) return (Array.isArray(x) ? x[x.length - 1] : x).trim().toLowerCase()
  return ''
}

function fromCacheStatus (value: string): CacheOutcome {
  const members = value.split(',')
  const last = members[members.length - 1].toLowerCase()
  const params = last.split(';').slice(1).map(p => p.trim())
  if (params.includes('hit')) return 'hit'
  const fwd = params.find(p => p.startsWith('fwd='))?.slice(4)
  if (fwd === undefined) return 'other'
  if (fwd === 'stale') return 'stale'
  if (fwd.endsWith('miss')) return 'miss'
  if (fwd === 'bypass' || fwd === 'method' || fwd === 'request') return 'bypass'
  return 'other'
}

function fromXCache (value: string): CacheOutcome {
  const v = value.toUpperCase()
  if (v.includes('STALE')) return 'stale'
  if (v.includes('HIT')) return 'hit'
  if (v.includes('MISS') || v.includes('EXPIRED')) return 'miss'
  if (v.includes('BYPASS') || v.includes('PASS') || v.includes('UNCACHEABLE') || v.includes('DYNAMIC')) return 'bypass'
  return 'other'
}
