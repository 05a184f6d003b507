// Header rewriting on the hot path: one pass over the source, names looked up in sets built once at start-up.
// Hop-by-hop headers: RFC 9110 §7.6.1; headers named in Connection are hop-by-hop too.
import type { IncomingHttpHeaders } from 'node:http'

/** Dropped in both directions. `expect` is answered by Node itself and undici refuses to send it. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'proxy-authorization', 'proxy-authenticate', 'expect', 'http2-settings'
])

export interface RequestHeaderPlan {
  /** Lower-case names never forwarded (hop-by-hop, X-Forwarded-* we rebuild, configured drops). */
  drop: ReadonlySet<string>
  xForwarded: boolean
  /** `proxy.forwardHost`: a trusted proxy's X-Forwarded-Host reaches the origin (and the cache keys on it). */
  forwardHost: boolean
  /** Host header to send instead of the client's, or null to pass the client's through. */
  hostOverride: string | null
}

export interface RequestHeaderPlanOptions {
  dropRequestHeaders: readonly string[]
  xForwarded: boolean
  forwardHost: boolean
  hostOverride: string | null
}

export function buildRequestHeaderPlan (opts: RequestHeaderPlanOptions): RequestHeaderPlan {
  const drop = new Set(HOP_BY_HOP)
  for (const name of opts.dropRequestHeaders) drop.add(name.toLowerCase())
  // Always dropped from the client's copy: a PHP app builds its links from it, while the cache keys on Host, so
  // a forwarded X-Forwarded-Host the key doesn't see is a cache poisoning (issue 13). It is re-added below only
  // as the Host, or, with forwardHost, as a trusted proxy's value (which the cache key then uses: originHost).
  drop.add('x-forwarded-host')
  if (opts.xForwarded) {
    drop.add('x-forwarded-for')
    drop.add('x-forwarded-proto')
  }
  return { drop, xForwarded: opts.xForwarded, forwardHost: opts.forwardHost, hostOverride: opts.hostOverride }
}

/**
 * The host the origin is told the request is for, lower-cased: a trusted proxy's X-Forwarded-Host when
 * `forwardHost` passes it on, otherwise the Host header. The cache keys on this, so what the origin builds its
 * URLs from is always part of the key.
 */
export function originHost (src: IncomingHttpHeaders, forwardHost: boolean, trusted: boolean): string {
  if (forwardHost && trusted) {
    const fwd = src['x-forwarded-host']
    if (typeof fwd === 'string' && fwd !== '') return fwd.toLowerCase()
  }
  return (src.host ?? '').toLowerCase()
}

export interface ForwardedFor {
  /** The TCP peer's address. */
  peer: string
  /** True when the peer is a configured trusted proxy, so its X-Forwarded-* are kept and extended. */
  trusted: boolean
  proto: string
}

/**
 * Builds the flat [name, value, ...] array undici takes (cheaper than an object).
 * X-Forwarded-For from an untrusted peer is replaced, never extended: a client can't plant addresses in it.
 */
export function forwardRequestHeaders (src: IncomingHttpHeaders, plan: RequestHeaderPlan, fwd: ForwardedFor): string[] {
  const out: string[] = []
  const connection = src.connection
  const listed = connection === undefined || connection === 'keep-alive' || connection === 'close'
    ? null
    : connectionTokens(connection)
  for (const name in src) {
    if (plan.drop.has(name)) continue
    // HTTP/2 pseudo-headers (:method, :path, :authority, :scheme) are no HTTP/1.1 header fields (RFC 9113 §8.3).
    if (name.charCodeAt(0) === 58) continue
    if (listed !== null && listed.has(name)) continue
    const value = src[name]
    if (value === undefined) continue
    if (name === 'host') {
      out.push('host', plan.hostOverride ?? (value as string))
      continue
    }
    if (typeof value === 'string') out.push(name, value)
    else for (const v of value) out.push(name, v)
  }
  if (plan.hostOverride !== null && src.host === undefined) out.push('host', plan.hostOverride)
  if (plan.xForwarded) {
    const prior = fwd.trusted ? src['x-forwarded-for'] : undefined
    out.push('x-forwarded-for', prior === undefined ? fwd.peer : `${prior}, ${fwd.peer}`)
    const proto = fwd.trusted ? src['x-forwarded-proto'] : undefined
    out.push('x-forwarded-proto', typeof proto === 'string' ? proto : fwd.proto)
    const host = fwd.trusted && plan.forwardHost ? src['x-forwarded-host'] : undefined
    const h = typeof host === 'string' ? host : src.host
    if (h !== undefined) out.push('x-forwarded-host', h)
  } else if (plan.forwardHost && fwd.trusted) {
    const host = src['x-forwarded-host']
    if (typeof host === 'string') out.push('x-forwarded-host', host)
  }
  return out
}

/**
 * Copies the origin's response headers for the client, without hop-by-hop ones.
 * undici hands them over lower-cased, with repeated headers (set-cookie) as arrays.
 */
export function forwardResponseHeaders (src: Record<string, string | string[] | undefined>, via: string | null): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  const connection = src.connection
  const listed = typeof connection === 'string' && connection !== 'keep-alive' && connection !== 'close'
    ? connectionTokens(connection)
    : null
  for (const name in src) {
    const value = src[name]
    if (value === undefined || HOP_BY_HOP.has(name)) continue
    if (listed !== null && listed.has(name)) continue
    out[name] = value
  }
  if (via !== null) {
    const prior = out.via
    out.via = prior === undefined ? via : `${String(prior)}, ${via}`
  }
  return out
}

/** Lower-cased header names listed in a Connection header (hop-by-hop for this connection only). */
export function connectionTokens (value: string | string[]): Set<string> {
  const set = new Set<string>()
  for (const part of (Array.isArray(value) ? value.join(',') : value).split(',')) {
    const t = part.trim().toLowerCase()
    if (t !== '') set.add(t)
  }
  return set
}
