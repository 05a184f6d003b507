// Cache keys: `<path>[?<normalized query>]\t<scheme>://<host>\t<scope and vary parts>`. The path comes first so a
// purge by path prefix reaches every host, scope and variant with one prefix match.
import { createHash } from 'node:crypto'
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

/** Value of one cookie from a Cookie header, or undefined. */
export function cookieValue (header: string | string[] | undefined, name: string): string | undefined {
  if (header === undefined) return undefined
  const text = Array.isArray(header) ? header.join('; ') : header
  let i = 0
  while (i < text.length) {
    while (text.charCodeAt(i) === 32) i++
    const end = text.indexOf(';', i)
    const stop = end === -1 ? text.length : end
    const eq = text.indexOf('=', i)
    if (eq !== -1 && eq < stop && text.slice(i, eq).trim() === name) return text.slice(eq + 1, stop).trim()
    i = stop + 1
  }
  return undefined
}

/** A short one-way digest, so session ids never appear in keys, Redis or logs. */
export function digest (value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22)
}

/** Key suffix for a rule's `vary` cookies and headers. */
export function ruleVaryPart (cookies: readonly string[], headers: readonly string[], reqHeaders: Headers): string {
  let out = ''
  for (const c of cookies) out += `c:${c}=${cookieValue(reqHeaders.cookie, c) ?? ''};`
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
