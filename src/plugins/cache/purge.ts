// `POST <admin>/api/cache/purge` with `{ urls }`, `{ prefix }`, `{ tags }` and/or `{ regex }` (behind admin auth).
// Scripts on the same machine use a bearer token (no CSRF token needed), the PURGE method from cache.purge.allow, or
// `sipup-sidecar cache purge` (README "Purging").
import type { FastifyPluginAsync } from 'fastify'
import { SIPUP_ERR_CACHE_PURGE_INVALID } from '../../errors.js'
import { compilePurgeRegex } from './purge-regex.js'
import type { CacheRuntime } from './runtime.js'

export interface PurgeRequest { urls?: string[], prefix?: string, tags?: string[], regex?: string }

/** Throws a coded 400 naming the bad field; returns the checked request. */
export function checkPurgeBody (body: unknown): Required<PurgeRequest> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SIPUP_ERR_CACHE_PURGE_INVALID('expected a JSON object with urls, prefix, tags or regex')
  }
  const b = body as Record<string, unknown>
  for (const k of Object.keys(b)) {
    if (k !== 'urls' && k !== 'prefix' && k !== 'tags' && k !== 'regex') {
      throw new SIPUP_ERR_CACHE_PURGE_INVALID(`unknown field '${k}'; expected urls, prefix, tags or regex`)
    }
  }
  const strings = (name: string, v: unknown): string[] => {
    if (v === undefined) return []
    if (!Array.isArray(v) || v.some(s => typeof s !== 'string' || s === '')) {
      throw new SIPUP_ERR_CACHE_PURGE_INVALID(`${name}: expected a list of non-empty strings, got ${JSON.stringify(v).slice(0, 80)}`)
    }
    return v as string[]
  }
  const urls = strings('urls', b.urls)
  for (const u of urls) {
    if (u.startsWith('/')) continue
    let ok = false
    try { ok = ['http:', 'https:'].includes(new URL(u).protocol) } catch { ok = false }
    if (!ok) throw new SIPUP_ERR_CACHE_PURGE_INVALID(`urls: expected a path starting with / or an http(s) URL, got '${u.slice(0, 80)}'`)
  }
  const tags = strings('tags', b.tags)
  let prefix = ''
  if (b.prefix !== undefined) {
    if (typeof b.prefix !== 'string' || !b.prefix.startsWith('/')) {
      throw new SIPUP_ERR_CACHE_PURGE_INVALID(`prefix: expected a path starting with /, got ${JSON.stringify(b.prefix).slice(0, 80)}`)
    }
    prefix = b.prefix
  }
  let regex = ''
  if (b.regex !== undefined) {
    compilePurgeRegex(b.regex)
    regex = b.regex as string
  }
  if (urls.length === 0 && tags.length === 0 && prefix === '' && regex === '') {
    throw new SIPUP_ERR_CACHE_PURGE_INVALID('expected at least one of urls, prefix, tags or regex')
  }
  return { urls, prefix, tags, regex }
}

export function purgeRoutes (rt: CacheRuntime): FastifyPluginAsync {
  return async function cachePurgeRoutes (admin) {
    admin.post('/api/cache/purge', async (request) => {
      const what = checkPurgeBody(request.body)
      let purged = await rt.purgeUrls(what.urls, 'api')
      if (what.prefix !== '') purged += await rt.purge({ kind: 'prefix', prefix: what.prefix }, 'api')
      if (what.tags.length > 0) purged += await rt.purge({ kind: 'tags', tags: what.tags }, 'api')
      if (what.regex !== '') purged += await rt.purge({ kind: 'regex', source: what.regex }, 'api')
      return { purged }
    })
  }
}
