// Answering from a stored entry. Each entry gets its header arrays built once (per encoding) with slots for the
// few per-response values (Age, X-Cache, Cache-Status), and the same head serialized (serialized-head.ts): a hit
// on a plain HTTP/1 response appends the per-response lines to the serialized head; any other fills the slots and
// calls writeHead/end. The arrays are shared: writeHead copies them synchronously, so filling slots just before
// is safe.
import type { ServerResponse } from 'node:http'
import { kCachePrebuilt } from '../../symbols.js'
import { BR, GZIP, IDENTITY, varyWithAcceptEncoding, weakenEtag, type Encoding } from '../../core/content-coding.js'
import { appendResponseHeaders, withResponseHeaders } from '../../core/response-headers.js'
import { respondH2 } from '../../core/h2-guard.js'
import { ageSeconds, type Headers } from './policy.js'
import { HeadMemo, serializeHead, tryWriteHead } from './serialized-head.js'
import type { CacheEntry } from './types.js'

interface Prebuilt {
  /** [identity, br, gzip] flat header arrays (br/gzip null when not stored). Each ends with the slots
   * Age, [X-Cache], Cache-Status: the Age value sits at `length - tail`. */
  arrays: [string[], string[] | null, string[] | null]
  /** The header names of each array: a plugin's response header of the same name is left out. */
  names: [Set<string>, Set<string> | null, Set<string> | null]
  tail: number
  /** [identity, br, gzip] status line + headers before the slots, serialized (serialized-head.ts); null where a
   * hit must take writeHead. */
  heads: [string | null, string | null, string | null]
  /** The last whole head made from each of `heads`. */
  memos: [HeadMemo | null, HeadMemo | null, HeadMemo | null]
}

type WithPrebuilt = CacheEntry & { [kCachePrebuilt]?: Prebuilt }

/** Headers a 304 carries from the stored response (RFC 9110 §15.4.5). */
const HEADERS_304 = new Set(['cache-control', 'content-location', 'date', 'etag', 'expires', 'vary', 'last-modified'])

export interface ServeOptions {
  xCache: boolean
}

function build (entry: CacheEntry, enc: Encoding, xCache: boolean): string[] {
  const body = enc === BR ? entry.br : enc === GZIP ? entry.gzip : entry.body
  const out: string[] = []
  const compressible = entry.br !== null
  let hasVary = false
  for (const name in entry.headers) {
    if (name === 'content-length') continue
    const v = entry.headers[name]
    if (name === 'vary' && compressible) {
      hasVary = true
      out.push('vary', varyWithAcceptEncoding(v))
      continue
    }
    // A compressed copy is another representation: its ETag is weak, as on a compressed miss (proxy.compression).
    if (name === 'etag' && enc !== IDENTITY && typeof v === 'string') {
      out.push(name, weakenEtag(v))
      continue
    }
    if (typeof v === 'string') out.push(name, v)
    else for (const x of v) out.push(name, x)
  }
  if (compressible && !hasVary) out.push('vary', 'Accept-Encoding')
  if (enc !== IDENTITY) out.push('content-encoding', enc === BR ? 'br' : 'gzip')
  out.push('content-length', String((body as Buffer).length))
  out.push('age', '0')
  if (xCache) out.push('x-cache', 'HIT')
  out.push('cache-status', '')
  return out
}

function namesOf (flat: string[]): Set<string> {
  const names = new Set<string>()
  for (let i = 0; i < flat.length; i += 2) names.add(flat[i])
  return names
}

/** The copy a client gets: the one its Accept-Encoding picked when stored, else identity. */
function storedEncoding (entry: CacheEntry, enc: Encoding): Encoding {
  return enc === BR && entry.br !== null ? BR : enc === GZIP && entry.gzip !== null ? GZIP : IDENTITY
}

function prebuilt (entry: WithPrebuilt, opts: ServeOptions): Prebuilt {
  let p = entry[kCachePrebuilt]
  if (p === undefined) {
    const identity = build(entry, IDENTITY, opts.xCache)
    const br = entry.br === null ? null : build(entry, BR, opts.xCache)
    const gzip = entry.gzip === null ? null : build(entry, GZIP, opts.xCache)
    const tail = opts.xCache ? 5 : 3
    p = {
      arrays: [identity, br, gzip],
      names: [namesOf(identity), br === null ? null : namesOf(br), gzip === null ? null : namesOf(gzip)],
      tail,
      heads: [
        serializeHead(entry.status, identity, identity.length - tail - 1),
        br === null ? null : serializeHead(entry.status, br, br.length - tail - 1),
        gzip === null ? null : serializeHead(entry.status, gzip, gzip.length - tail - 1)
      ],
      memos: [new HeadMemo(), br === null ? null : new HeadMemo(), gzip === null ? null : new HeadMemo()]
    }
    entry[kCachePrebuilt] = p
  }
  return p
}

/**
 * writeHead with a flat array keeps every repeated header (3 `Link` stay 3) only while no header was set before;
 * once another plugin called setHeader (the rate limiter's RateLimit headers), Node applies the array with one
 * setHeader per pair and the last value of each name wins. Then the pairs go in grouped by name instead.
 * An h2 stream gets the list as its HEADERS directly (respondH2).
 */
function writeHead (res: ServerResponse, status: number, flat: string[]): void {
  if (respondH2(res, status, flat)) return
  if (res.getHeaderNames().length === 0) { res.writeHead(status, flat); return }
  const grouped: Record<string, string | string[]> = {}
  for (let i = 0; i < flat.length; i += 2) {
    const k = flat[i]
    const prev = grouped[k]
    grouped[k] = prev === undefined ? flat[i + 1] : Array.isArray(prev) ? [...prev, flat[i + 1]] : [prev, flat[i + 1]]
  }
  res.writeHead(status, grouped)
}

/** Writes a stored response. `xCache`/`cacheStatus` are the outcome labels for this answer; `extra` the plugins'
 * response headers (RequestState.responseHeaders). */
export function serveEntry (res: ServerResponse, entry: CacheEntry, enc: Encoding, head: boolean, now: number,
  opts: ServeOptions, xCache: string, cacheStatus: string, extra: readonly string[] | null): void {
  const p = prebuilt(entry, opts)
  const useEnc = storedEncoding(entry, enc)
  const body = useEnc === BR ? entry.br as Buffer : useEnc === GZIP ? entry.gzip as Buffer : entry.body
  const ageValue = String(ageSeconds(entry, now))
  if (tryWriteHead(res, entry.status, p.heads[useEnc], body.length, ageValue, opts.xCache ? xCache : null, cacheStatus,
    extra, p.names[useEnc] as Set<string>, p.memos[useEnc])) {
    if (head) res.end()
    else res.end(body)
    return
  }
  const arr = p.arrays[useEnc] as string[]
  const age = arr.length - p.tail
  arr[age] = ageValue
  if (opts.xCache) arr[age + 2] = xCache
  arr[arr.length - 1] = cacheStatus
  writeHead(res, entry.status, withResponseHeaders(arr, p.names[useEnc] as Set<string>, extra))
  if (head) res.end()
  else res.end(body)
}

/**
 * Answers a client's conditional request that the stored response satisfies. `enc` is the coding the client's
 * Accept-Encoding picked: the 304 carries the ETag a 200 would have (weak for a compressed copy); `extra` the
 * plugins' response headers.
 */
export function serveNotModified (res: ServerResponse, entry: CacheEntry, enc: Encoding, now: number,
  opts: ServeOptions, xCache: string, cacheStatus: string, extra: readonly string[] | null): void {
  const out: string[] = []
  const coded = storedEncoding(entry, enc) !== IDENTITY
  // Vary as on the 200 (build above): a 304 carries what a 200 would (RFC 9110 §15.4.5).
  const compressible = entry.br !== null
  if (compressible && entry.headers.vary === undefined) out.push('vary', 'Accept-Encoding')
  for (const name in entry.headers) {
    if (!HEADERS_304.has(name)) continue
    const v = entry.headers[name]
    if (name === 'etag' && coded && typeof v === 'string') out.push(name, weakenEtag(v))
    else if (name === 'vary' && compressible) out.push(name, varyWithAcceptEncoding(v))
    else if (typeof v === 'string') out.push(name, v)
    else for (const x of v) out.push(name, x)
  }
  out.push('age', String(ageSeconds(entry, now)))
  if (opts.xCache) out.push('x-cache', xCache)
  out.push('cache-status', cacheStatus)
  appendResponseHeaders(out, extra)
  writeHead(res, 304, out)
  res.end()
}

/** Header object of a stored response for an undici handler (an answer given in place of the origin's). */
export function entryHeaders (entry: CacheEntry, enc: Encoding, now: number, opts: ServeOptions,
  xCache: string, cacheStatus: string): { headers: Headers, body: Buffer } {
  const p = prebuilt(entry, opts)
  const useEnc = storedEncoding(entry, enc)
  const arr = p.arrays[useEnc] as string[]
  const headers: Record<string, string | string[]> = {}
  for (let i = 0; i < arr.length; i += 2) {
    const k = arr[i]
    const prev = headers[k]
    headers[k] = prev === undefined ? arr[i + 1] : Array.isArray(prev) ? [...prev, arr[i + 1]] : [prev, arr[i + 1]]
  }
  headers.age = String(ageSeconds(entry, now))
  if (opts.xCache) headers['x-cache'] = xCache
  headers['cache-status'] = cacheStatus
  const body = useEnc === BR ? entry.br : useEnc === GZIP ? entry.gzip : entry.body
  return { headers, body: body as Buffer }
}
