// Targeted cache-control fields (RFC 9213): `CDN-Cache-Control`, and the sidecar's own `Sipup-Cache-Control`
// (name from `cache.targetedHeader`) ahead of it. The first valid one on the target list replaces Cache-Control
// and Expires for the sidecar's decisions only; the client still gets the origin's Cache-Control, so a PHP page can
// say `Sipup-Cache-Control: max-age=600` while browsers keep `no-store`. Neither field ever reaches the client.
import { SIPUP_ERR_CACHE_CONFIG } from '../../errors.js'
import type { Headers, HeaderValue } from './policy.js'

/** An RFC 8941 dictionary key, case-insensitive here (`Max-Age=600` from hand-written PHP counts). */
const KEY = /^[a-z*][a-z0-9_\-.*]*$/i
/** A member value: token, integer or quoted string. */
const VALUE = /^(?:[a-z*][\w!#$%&'*+\-.^`|~:/]*|-?\d{1,15}(?:\.\d{1,3})?|"(?:[^"\\]|\\["\\])*")$/i

/** A header name (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/
/** Fields the cache and clients need: a targeted field of that name would strip them from every response. */
const RESERVED = new Set(['cache-control', 'expires', 'pragma', 'age', 'date', 'etag', 'last-modified', 'vary',
  'content-type', 'content-length', 'content-encoding', 'set-cookie', 'connection', 'transfer-encoding'])

/** Lower-cased field names, first wins. Throws a coded config error for a name that can't be a targeted field. */
export function targetList (targetedHeader: string, cdnCacheControl: boolean): string[] {
  const out: string[] = []
  const own = targetedHeader.trim().toLowerCase()
  if (own !== '' && (!TOKEN.test(own) || RESERVED.has(own))) {
    throw new SIPUP_ERR_CACHE_CONFIG('targetedHeader', 'a header name of its own (not Cache-Control, Expires, Vary...)', targetedHeader)
  }
  if (own !== '') out.push(own)
  if (cdnCacheControl && own !== 'cdn-cache-control') out.push('cdn-cache-control')
  return out
}

/** The value of the first field of the list with a valid, non-empty value (RFC 9213 §2.1), or null. */
export function targetedValue (headers: Headers, names: readonly string[]): string | null {
  for (const name of names) {
    const v = headers[name]
    if (v === undefined) continue
    const text = normalize(v)
    if (text !== null) return text
  }
  return null
}

/** The members joined with `, `, directive names lower-cased; null when empty or not a valid dictionary. */
function normalize (v: HeaderValue): string | null {
  const text = Array.isArray(v) ? v.join(',') : (v as string)
  const parts: string[] = []
  for (const raw of text.split(',')) {
    const member = raw.trim()
    if (member === '') return null
    const eq = member.indexOf('=')
    const key = (eq === -1 ? member : member.slice(0, eq)).trim()
    if (!KEY.test(key)) return null
    if (eq === -1) { parts.push(key.toLowerCase()); continue }
    const value = member.slice(eq + 1).trim()
    if (!VALUE.test(value)) return null
    parts.push(`${key.toLowerCase()}=${value}`)
  }
  return parts.length === 0 ? null : parts.join(', ')
}

/** The headers the cache decides on: Cache-Control from the targeted field, the origin's Expires and Pragma
 * ignored (RFC 9213 §2.1: they MUST be ignored when a targeted field applies). */
export function policyView (headers: Headers, targeted: string | null): Headers {
  if (targeted === null) return headers
  const out: Headers = {}
  for (const k in headers) if (k !== 'expires' && k !== 'pragma') out[k] = headers[k]
  out['cache-control'] = targeted
  return out
}

/** The headers without the targeted fields (the same object when none is there, the common case). */
export function withoutTargeted (headers: Headers, names: readonly string[]): Headers {
  let found = false
  for (const n of names) if (headers[n] !== undefined) { found = true; break }
  if (!found) return headers
  const out: Headers = {}
  for (const k in headers) if (!names.includes(k)) out[k] = headers[k]
  return out
}
