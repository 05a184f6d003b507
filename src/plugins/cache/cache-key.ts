// Cache keys: `<path>[?<normalized query>]\t<scheme>://<host>\t<scope and vary parts>`. The path comes first so a
// purge by path prefix reaches every host, scope and variant with one prefix match.
import { createHash } from 'node:crypto'
import type { CookiePair, CookiePatterns } from '../../core/cookies.js'
import type { Headers } from './policy.js'

export interface QueryOptions {
  /** Order parameters by name; parameters of one name keep their relative order (PHP reads the last). */
  sort: boolean
  /** Parameter names dropped; a trailing `*` matches a prefix. */
  drop: readonly string[]
}

export type QueryNormalizer = (query: string) => string
/** The query without the dropped parameters, in the client's order; null when nothing is dropped. */
export type QueryDropper = (query: string) => string | null

/**
 * The name PHP files a parameter under, coarsened: decoded, `+` as space, cut at `[` (arrays), `.` and space read
 * as `_` (PHP's `a.b` is `$_GET['a_b']`). Parameters with one such name keep their relative order in the key, so
 * `?id=11&%69d=12` and `?%69d=12&id=11` stay two entries, as they are two pages to PHP.
 */
function phpName (param: string): string {
  const eq = param.indexOf('=')
  let name = eq === -1 ? param : param.slice(0, eq)
  if (name.includes('%') || name.includes('+')) {
    try { name = decodeURIComponent(name.replace(/\+/g, ' ')) } catch { /* keep the raw name */ }
  }
  const br = name.indexOf('[')
  if (br > 0) name = name.slice(0, br)
  return name.replace(/[. ]/g, '_')
}

function dropTest (drop: readonly string[]): ((name: string) => boolean) | null {
  if (drop.length === 0) return null
  const exact = new Set<string>()
  const prefixes: string[] = []
  for (const d of drop) {
    if (d.endsWith('*')) prefixes.push(d.slice(0, -1))
    else exact.add(d)
  }
  return (name: string): boolean => {
    if (exact.has(name)) return true
    for (const p of prefixes) if (name.startsWith(p)) return true
    return false
  }
}

export function queryNormalizer (opts: QueryOptions): QueryNormalizer {
  const dropped = dropTest(opts.drop)
  return (query: string): string => {
    if (query === '') return ''
    const kept: { name: string, param: string }[] = []
    for (const param of query.split('&')) {
      if (param === '') continue
      const name = phpName(param)
      if (dropped !== null && dropped(name)) continue
      kept.push({ name, param })
    }
    // Array.prototype.sort is stable: equal names keep the client's order.
    if (opts.sort) kept.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
    let out = ''
    for (let i = 0; i < kept.length; i++) out += (i === 0 ? '' : '&') + kept[i].param
    return out
  }
}

/**
 * The same drop rule for the request the origin gets: a parameter left out of the key must not reach the origin,
 * or a page that reflects it would store the first visitor's value for everyone. Null when there is no drop list.
 */
export function queryDropper (drop: readonly string[]): QueryDropper | null {
  const dropped = dropTest(drop)
  if (dropped === null) return null
  return (query: string): string | null => {
    const params = query.split('&')
    let changed = false
    let out = ''
    for (const param of params) {
      if (param !== '' && dropped(phpName(param))) {
        changed = true
        continue
      }
      out += (out === '' ? '' : '&') + param
    }
    return changed ? out : null
  }
}

/** `path?query` with the dropped query parameters removed; the same string when none is. */
export function dropFromTarget (target: string, drop: QueryDropper): string {
  const q = target.indexOf('?')
  if (q === -1) return target
  const kept = drop(target.slice(q + 1))
  if (kept === null) return target
  return kept === '' ? target.slice(0, q) : `${target.slice(0, q + 1)}${kept}`
}

/** The URL part of a key, shared by lookups and purges. `pathAndQuery` is the raw request target. */
export function urlKey (pathAndQuery: string, scheme: string, host: string, normalize: QueryNormalizer): string {
  const q = pathAndQuery.indexOf('?')
  if (q === -1) return `${pathAndQuery}\t${scheme}://${host}\t`
  const query = normalize(pathAndQuery.slice(q + 1))
  return `${pathAndQuery.slice(0, q)}${query === '' ? '' : '?'}${query}\t${scheme}://${host}\t`
}

/** The prefix a purge of one URL removes: every scope and variant of it. Path-only URLs reach every host. */
export function purgePrefixForUrl (url: string, normalize: QueryNormalizer): string {
  if (url.startsWith('/')) {
    const key = urlKey(url, 'x', 'x', normalize)
    return key.slice(0, key.indexOf('\t') + 1)
  }
  const u = new URL(url)
  return urlKey(u.pathname + u.search, u.protocol.slice(0, -1), u.host.toLowerCase(), normalize)
}

/** A short one-way digest, so session ids never appear in keys, Redis or logs. */
export function digest (value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22)
}

/**
 * Key suffix for a rule's `vary` cookies and headers: every present cookie whose name matches a `vary.cookies`
 * name or glob joins with its name and value (sorted), then each header.
 */
export function ruleVaryPart (cookies: CookiePatterns, pairs: readonly CookiePair[], headers: readonly string[],
  reqHeaders: Headers): string {
  let out = ''
  if (!cookies.empty) out += `c:${cookies.matching(pairs).join(';').replace(/\t/g, ' ')};`
  for (const h of headers) out += `h:${h}=${headerText(reqHeaders[h])};`
  return out
}

/** Secondary key of a response variant selected by the response's Vary header names. */
export function varyKey (primary: string, names: readonly string[], reqHeaders: Headers): string {
  let out = `${primary}\tv:`
  for (const n of names) out += `${n}=${headerText(reqHeaders[n])};`
  return out
}

function headerText (v: string | string[] | undefined): string {
  if (v === undefined) return ''
  return (Array.isArray(v) ? v.join(',') : v).replace(/[\t;]/g, ' ')
}
