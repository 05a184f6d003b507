// Cache keys: `<path>[?<normalized query>]\t<scheme>://<host>\t<scope and vary parts>`. The path comes first so a
// purge by path prefix reaches every host, scope and variant with one prefix match.
import { createHash } from 'node:crypto'
import type { CookiePair, CookiePatterns } from '../../core/cookies.js'
import type { Headers } from './policy.js'

export interface QueryOptions {
  sort: boolean
  /** Parameter names dropped; a trailing `*` matches a prefix. */
  drop: readonly string[]
}

export type QueryNormalizer = (query: string) => string

export function queryNormalizer (opts: QueryOptions): QueryNormalizer {
  const exact = new Set<string>()
  const prefixes: string[] = []
  for (const d of opts.drop) {
    if (d.endsWith('*')) prefixes.push(d.slice(0, -1))
    else exact.add(d)
  }
  const dropped = (param: string): boolean => {
    const eq = param.indexOf('=')
    const name = eq === -1 ? param : param.slice(0, eq)
    if (exact.has(name)) return true
    for (const p of prefixes) if (name.startsWith(p)) return true
    return false
  }
  return (query: string): string => {
    if (query === '') return ''
    const kept = query.split('&').filter(p => p !== '' && !dropped(p))
    if (opts.sort) kept.sort()
    return kept.join('&')
  }
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
