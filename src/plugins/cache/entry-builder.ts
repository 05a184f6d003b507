// Turns an origin response (status, headers, body) plus its Analysis into the entries to store: the entry, and a
// Vary marker under the lookup key when the response varies.
import { compressBody } from './compression.js'
import { EMPTY, ownBuffer } from './entry-size.js'
import { HOP_BY_HOP, type Analysis, type Headers } from './policy.js'
import { varyKey } from './cache-key.js'
import { connectionTokens } from '../../proxy/headers.js'
import type { CacheEntry } from './types.js'

/** How long an entry with a validator is kept past its freshness, to be revalidated with a cheap 304. */
const REVALIDATE_KEEP_MS = 10 * 60_000

/** Response headers never stored: per-response values we recompute, and the other cache's labels. */
const NOT_STORED = new Set([...HOP_BY_HOP, 'set-cookie', 'age', 'x-cache', 'cache-status', 'content-length'])

export function storedHeaders (headers: Headers): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  // Headers the origin named in Connection are hop-by-hop for that one connection (RFC 9110 §7.6.1): a hit must
  // not replay them.
  const listed = headers.connection === undefined ? null : connectionTokens(headers.connection)
  for (const k in headers) {
    const v = headers[k]
    if (v === undefined || NOT_STORED.has(k) || (listed !== null && listed.has(k))) continue
    out[k] = v
  }
  return out
}

export function parseTags (headers: Headers): string[] {
  const tags: string[] = []
  for (const [name, sep] of [['surrogate-key', /\s+/], ['cache-tag', /\s*,\s*/]] as const) {
    const v = headers[name]
    if (v === undefined) continue
    for (const t of (Array.isArray(v) ? v.join(name === 'cache-tag' ? ',' : ' ') : v).split(sep)) {
      const tag = t.trim()
      if (tag !== '' && !tags.includes(tag)) tags.push(tag)
    }
  }
  return tags
}

export interface BuildInput {
  key: string
  status: number
  headers: Headers
  body: Buffer
  analysis: Analysis
  responseTime: number
  rule: string
  requestHeaders: Headers
  /** Compress the body (identity text of at least the minimum size). */
  compress: boolean
  /** The targeted cache-control value the analysis used (RFC 9213); absent or null when none. */
  targeted?: string | null
}

export function timesFor (a: Analysis, responseTime: number): Pick<CacheEntry, 'freshUntil' | 'swrUntil' | 'sieUntil' | 'expiresAt'> {
  const freshUntil = responseTime + Math.max(0, a.freshMs - a.initialAge * 1000)
  const swrUntil = a.swrMs > 0 ? freshUntil + a.swrMs : 0
  const sieUntil = a.sieMs > 0 ? freshUntil + a.sieMs : 0
  const keep = Math.max(a.swrMs, a.sieMs, a.revalidatable ? Math.max(REVALIDATE_KEEP_MS, a.freshMs) : 0)
  return { freshUntil, swrUntil, sieUntil, expiresAt: freshUntil + keep }
}

/** Returns [entry, marker?]: store the marker too when the response varies. */
export async function buildEntries (input: BuildInput): Promise<CacheEntry[]> {
  const a = input.analysis
  const body = ownBuffer(input.body)
  let br: Buffer | null = null
  let gzip: Buffer | null = null
  if (input.compress) ({ br, gzip } = await compressBody(body))
  const times = timesFor(a, input.responseTime)
  const entry: CacheEntry = {
    key: a.vary.length > 0 ? varyKey(input.key, a.vary, input.requestHeaders) : input.key,
    status: input.status,
    headers: storedHeaders(input.headers),
    body,
    br: br === null ? null : ownBuffer(br),
    gzip: gzip === null ? null : ownBuffer(gzip),
    responseTime: input.responseTime,
    initialAge: a.initialAge,
    ...times,
    authOk: a.authOk,
    tags: parseTags(input.headers),
    vary: null,
    rule: input.rule
  }
  if (input.targeted != null) entry.targeted = input.targeted
  if (a.vary.length === 0) return [entry]
  const marker: CacheEntry = { ...entry, key: input.key, headers: {}, body: EMPTY, br: null, gzip: null, vary: a.vary }
  return [entry, marker]
}
