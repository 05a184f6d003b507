// RFC 9111 decisions for one origin response, built on http-cache-semantics' CachePolicy (shared: true) with the
// gaps measured in shared/notes/http-cache-libraries.md closed around it. The result is plain numbers, so a hit
// only compares timestamps and never builds a CachePolicy.
import CachePolicy from 'http-cache-semantics'
import { connectionTokens } from '../../proxy/headers.js'

export type HeaderValue = string | string[] | undefined
export type Headers = Record<string, HeaderValue>

/** Directive names lower-cased (RFC 9111 §5.2: they are case-insensitive), values unquoted. */
export function parseCacheControl (value: HeaderValue): Map<string, string | true> {
  const out = new Map<string, string | true>()
  if (value === undefined) return out
  const text = Array.isArray(value) ? value.join(',') : value
  for (const part of text.split(',')) {
    const eq = part.indexOf('=')
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase()
    if (name === '') continue
    // A duplicated directive is invalid (RFC 9111 §4.2.1): keep the first, the stricter reading for max-age.
    if (out.has(name)) continue
    out.set(name, eq === -1 ? true : part.slice(eq + 1).trim().replace(/^"|"$/g, ''))
  }
  return out
}

/** Cache-Control with directive names lower-cased, so CachePolicy sees `NO-CACHE` as `no-cache`. */
export function normalizeCacheControl (value: HeaderValue): string | undefined {
  if (value === undefined) return undefined
  const parts: string[] = []
  for (const [k, v] of parseCacheControl(value)) parts.push(v === true ? k : `${k}=${v}`)
  return parts.join(', ')
}

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)'
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)'
const TIME = '\\d{2}:\\d{2}:\\d{2}'
// RFC 9110 §5.6.7: IMF-fixdate, obsolete RFC 850 and asctime forms; anything else is invalid.
const HTTP_DATE = new RegExp(
  `^(?:${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT` +
  `|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d{2}-${MONTH}-\\d{2} ${TIME} GMT` +
  `|${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4})$`)

/** ms since epoch of a valid HTTP-date, or NaN (lenient Date.parse accepts "0", "tomorrow"...). */
export function parseHttpDate (value: HeaderValue): number {
  if (typeof value !== 'string') return NaN
  const v = value.trim()
  return HTTP_DATE.test(v) ? Date.parse(v.includes('-') ? v.replace(/-/g, ' ') : v) : NaN
}

const EXPIRED = 'Thu, 01 Jan 1970 00:00:00 GMT'

/** Statuses a rule's `override.statuses` may list: the ones cacheable by default (RFC 9110 §15.1), never
 * redirects to a login page (302/303/307) and never a 5xx (an origin error must not outlive its cause). */
export const OVERRIDE_STATUSES: ReadonlySet<number> = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414])

/** The statuses http-cache-semantics' CachePolicy stores (its `understoodStatuses`, 4.3.0). */
const POLICY_STATUSES = new Set([200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 501])

export interface PolicyRule {
  ttl: number
  override: boolean
  grace: number
  /** Statuses `override` stores; any other status is not stored by the rule. */
  statuses: ReadonlySet<number>
  /** Freshness of a 404 that `override` stores (at most `ttl`). */
  notFoundTtl: number
}

export interface RequestFacts {
  method: string
  url: string
  headers: Headers
}

export interface Analysis {
  /** Null when storable, else why not (goes into Cache-Status `detail`). */
  uncacheable: string | null
  freshMs: number
  swrMs: number
  sieMs: number
  /** Kept after it is stale only to be revalidated (has a validator). */
  revalidatable: boolean
  authOk: boolean
  initialAge: number
  /** Lower-cased request header names of Vary (without accept-encoding when `handlesEncoding`). */
  vary: string[]
}

function first (v: HeaderValue): string | undefined {
  return Array.isArray(v) ? v[0] : v
}

function seconds (v: string | true | undefined): number {
  if (typeof v !== 'string') return 0
  const n = Number.parseInt(v, 10)
  return Number.isFinite(n) && n > 0 ? n : 0
}

/** RFC 9111 §5.1: Age is a non-negative integer (delta-seconds); any other value is ignored, as if absent. */
export function parseAge (value: HeaderValue): number {
  const v = first(value)?.trim()
  if (v === undefined || !/^\d+$/.test(v)) return 0
  return Math.min(Number(v), 2 ** 31)
}

/** Parses a Vary header into lower-cased names; null for `Vary: *`. */
export function parseVary (value: HeaderValue): string[] | null {
  if (value === undefined) return []
  const out: string[] = []
  for (const raw of (Array.isArray(value) ? value.join(',') : value).split(',')) {
    const name = raw.trim().toLowerCase()
    if (name === '') continue
    if (name === '*') return null
    if (!out.includes(name)) out.push(name)
  }
  return out
}

/**
 * Decides whether and for how long a response may be stored. `headers` are the origin's, lower-case, with
 * Set-Cookie already removed when the rule strips it.
 */
export function analyzeResponse (req: RequestFacts, status: number, headers: Headers, rule: PolicyRule | null,
  handlesEncoding: boolean): Analysis {
  const cc = parseCacheControl(headers['cache-control'])
  const reqCc = parseCacheControl(req.headers['cache-control'])
  const out: Analysis = {
    uncacheable: null, freshMs: 0, swrMs: 0, sieMs: 0, revalidatable: false, authOk: false, initialAge: 0, vary: []
  }
  const vary = parseVary(headers.vary)
  if (vary === null) { out.uncacheable = 'vary-star'; return out }
  out.vary = handlesEncoding ? vary.filter(n => n !== 'accept-encoding') : vary
  if (headers['set-cookie'] !== undefined) { out.uncacheable = 'set-cookie'; return out }
  if (reqCc.has('no-store')) { out.uncacheable = 'request-no-store'; return out }
  out.authOk = cc.has('public') || cc.has('s-maxage') || cc.has('must-revalidate')
  if (req.headers.authorization !== undefined && !out.authOk) { out.uncacheable = 'authorization'; return out }
  const age = parseAge(headers.age)
  out.initialAge = age
  const grace = rule?.grace ?? 0

  if (rule !== null && rule.override && rule.ttl > 0) {
    if (!rule.statuses.has(status)) { out.uncacheable = `status-${status}`; return out }
    // A page missing now may be created in a minute: a 404 gets its own short lifetime.
    out.freshMs = status === 404 ? Math.min(rule.notFoundTtl, rule.ttl) : rule.ttl
    out.initialAge = 0
    out.swrMs = grace
    out.sieMs = grace
    out.revalidatable = headers.etag !== undefined || headers['last-modified'] !== undefined
    return out
  }

  const fixed: Headers = { ...headers }
  const normalizedCc = normalizeCacheControl(headers['cache-control'])
  if (normalizedCc !== undefined) fixed['cache-control'] = normalizedCc
  if (headers.expires !== undefined && Number.isNaN(parseHttpDate(first(headers.expires)))) fixed.expires = EXPIRED
  // CachePolicy reads Age with parseInt too ('7200.0' → 7200): hand it only a valid one.
  if (headers.age !== undefined) fixed.age = age > 0 ? String(age) : undefined
  const explicit = cc.has('s-maxage') || cc.has('max-age') || headers.expires !== undefined
  // RFC 9111 §3: any final status may be stored when it carries explicit freshness; CachePolicy only stores the
  // statuses it knows, so the others (a 500 or 429 with max-age) are judged as a 200 would be. Never 206 (we
  // don't combine ranges) or 304, nor an unknown status under must-understand.
  const judged = explicit && !POLICY_STATUSES.has(status) && status !== 206 && status !== 304 &&
    !cc.has('must-understand') ? 200 : status
  const policy = new CachePolicy({ method: req.method, url: req.url, headers: policyRequestHeaders(req.headers) },
    { status: judged, headers: fixed }, { shared: true })
  if (!policy.storable()) { out.uncacheable = cc.has('no-store') ? 'no-store' : cc.has('private') ? 'private' : `not-storable-${status}`; return out }
  let freshMs = policy.maxAge() * 1000
  // A rule's ttl stands in for the heuristic only when the origin gave no explicit freshness (RFC 9111 §4.2.2).
  if (!explicit && rule !== null && rule.ttl > 0 && !cc.has('no-cache')) freshMs = rule.ttl
  out.freshMs = freshMs
  out.revalidatable = headers.etag !== undefined || headers['last-modified'] !== undefined
  // must-revalidate, proxy-revalidate and s-maxage forbid serving stale (RFC 9111 §4.2.4, §5.2.2.10).
  const noStale = cc.has('must-revalidate') || cc.has('proxy-revalidate') || cc.has('s-maxage')
  if (!noStale) {
    out.swrMs = Math.max(seconds(cc.get('stale-while-revalidate')) * 1000, grace)
    out.sieMs = Math.max(seconds(cc.get('stale-if-error')) * 1000, grace)
  }
  if (out.freshMs <= 0 && !out.revalidatable && out.swrMs === 0 && out.sieMs === 0) out.uncacheable = 'not-fresh'
  return out
}

function policyRequestHeaders (h: Headers): CachePolicy.Headers {
  const out: CachePolicy.Headers = {}
  for (const k in h) out[k] = k === 'cache-control' ? normalizeCacheControl(h[k]) : h[k]
  return out
}

/** Freshness of a stored entry for a request whose Cache-Control may ask for more (RFC 9111 §5.2.1). */
export type Verdict = 'fresh' | 'stale-ok' | 'stale'

export interface Timed {
  responseTime: number
  initialAge: number
  freshUntil: number
  swrUntil: number
}

export function ageSeconds (e: Timed, now: number): number {
  return e.initialAge + Math.floor((now - e.responseTime) / 1000)
}

/** `stale-ok`: stale but inside stale-while-revalidate (serve it and refresh in the background). */
export function evaluate (e: Timed, now: number, reqCc: Map<string, string | true> | null): Verdict {
  if (reqCc !== null && reqCc.size > 0) {
    if (reqCc.has('no-cache')) return 'stale'
    const age = ageSeconds(e, now)
    const maxAge = reqCc.get('max-age')
    if (maxAge !== undefined && age > seconds(maxAge)) return 'stale'
    const minFresh = reqCc.get('min-fresh')
    if (minFresh !== undefined && now + seconds(minFresh) * 1000 >= e.freshUntil) return 'stale'
    const maxStale = reqCc.get('max-stale')
    if (maxStale !== undefined && now >= e.freshUntil &&
      (maxStale === true || now - e.freshUntil <= seconds(maxStale) * 1000)) return 'fresh'
  }
  if (now < e.freshUntil) return 'fresh'
  if (now < e.swrUntil) return 'stale-ok'
  return 'stale'
}

/** The merge of a 304 into a stored response (RFC 9111 §4.3.4): its headers replace the stored ones, except
 * the ones that describe the stored body. */
const KEEP_ON_304 = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'content-range'])

export function merge304 (stored: Record<string, string | string[]>, fresh: Headers): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = { ...stored }
  const listed = fresh.connection === undefined ? null : connectionTokens(fresh.connection)
  for (const k in fresh) {
    const v = fresh[k]
    if (v === undefined || KEEP_ON_304.has(k) || k === 'set-cookie' || HOP_BY_HOP.has(k)) continue
    if (listed !== null && listed.has(k)) continue
    out[k] = v
  }
  return out
}

export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te',
  'trailer', 'transfer-encoding', 'upgrade', 'proxy-connection'])

/** Whether a client's If-None-Match / If-Modified-Since is satisfied by a stored response (RFC 9110 §13.1). */
export function notModified (reqHeaders: Headers, stored: Record<string, string | string[]>): boolean {
  const inm = first(reqHeaders['if-none-match'])
  const etag = first(stored.etag)
  if (inm !== undefined) {
    if (etag === undefined) return false
    if (inm.trim() === '*') return true
    const want = weak(etag)
    for (const tag of inm.split(',')) if (weak(tag.trim()) === want) return true
    return false
  }
  const ims = parseHttpDate(first(reqHeaders['if-modified-since']))
  if (Number.isNaN(ims)) return false
  const lm = parseHttpDate(first(stored['last-modified']))
  return !Number.isNaN(lm) && lm <= ims
}

function weak (tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag
}
