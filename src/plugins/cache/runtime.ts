// Everything the cache decides at start-up, in one object the hooks and handlers share: compiled rules, store,
// coalescer, context resolver, metrics, and the operations that are not per-request (purge, refresh).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { Dispatcher } from 'undici'
import { AddressList } from '../../config/address-list.js'
import { cookieNameList, CookiePatterns, parseCookies, type CookiePair } from '../../core/cookies.js'
import type { CoreConfig } from '../../config/core-schema.js'
import { buildRequestHeaderPlan, forwardRequestHeaders, originHost, type RequestHeaderPlan } from '../../proxy/headers.js'
import { kCacheState, kOriginLane, kOriginResumed, type OriginResumable } from '../../symbols.js'
import type { RequestField } from '../../core/types.js'
import { IDENTITY, typeMatcher, type Encoding } from '../../core/content-coding.js'
import { pickEncoding } from './compression.js'
import { Coalescer } from './coalescer.js'
import { ContextResolver } from './context.js'
import { digest, purgePrefixForUrl, queryDropper, queryNormalizer, type QueryDropper, type QueryNormalizer } from './cache-key.js'
import { CacheMetrics } from './metrics.js'
import type { PolicyRule } from './policy.js'
import { compileRules, type CompiledRule } from './rules.js'
import { RouteMemo } from './route-memo.js'
import { CacheState, STORE } from './state.js'
import { targetList } from './targeted.js'
import type { CacheConfig } from './schema.js'
import type { DeepReadonly } from '../../config/deep-readonly.js'
import type { CacheEntry, CacheStore, PurgeSelector } from './types.js'

export type FrozenCacheConfig = DeepReadonly<CacheConfig>

export interface RuntimeDeps {
  config: FrozenCacheConfig
  core: CoreConfig
  store: CacheStore
  registry: import('prom-client').Registry
  log: FastifyBaseLogger
  upstream: () => Dispatcher
  /** The `cache` request field: the outcome (HIT, MISS, STALE, BYPASS...) for the access log and metrics. */
  outcome: RequestField
}

export class CacheRuntime {
  readonly cfg: FrozenCacheConfig
  readonly rules: CompiledRule[]
  readonly store: CacheStore
  readonly coalescer: Coalescer | null
  readonly context: ContextResolver
  readonly normalize: QueryNormalizer
  /** Removes `cache.query.drop` parameters from every origin request (null: nothing to drop). */
  readonly dropQuery: QueryDropper | null
  readonly compressible: (contentType: string | string[] | undefined) => boolean
  readonly compression: boolean
  readonly minCompressSize: number
  readonly maxObjectSize: number
  readonly metrics: CacheMetrics
  readonly outcome: RequestField
  readonly log: FastifyBaseLogger
  readonly serveOpts: { xCache: boolean }
  /** `cache.sessionCookie`: the cookie(s) whose value is the session (per-user and context keys). */
  readonly session: CookiePatterns
  readonly purgeMethod: boolean
  /** RFC 9213 target list, lower-cased, first wins (empty: none obeyed or removed). */
  readonly targeted: readonly string[]
  readonly defaultRuleIndex: number
  /** Some rule reads the request's cookies or whether the visitor is logged in (anonymousOnly, `cookies`,
   * `vary.cookies`, a per-user or context scope): when none does, the hook neither parses cookies nor identifies. */
  readonly cookiesNeeded: boolean
  /** Rule and key base of recent targets, used only while cookiesNeeded is false (route-memo.ts). */
  readonly routes = new RouteMemo()
  /** Policy of requests that match no rule: origin headers, plus `cache.grace`. */
  readonly defaultPolicy: PolicyRule
  /** Cache-Status values that never change. */
  readonly status: { hit: string, swr: string, coalesced: string, miss: string, stored: string, bypass: string, request: string }
  readonly #purgeAllow: AddressList
  readonly #refreshing = new Set<string>()
  readonly #upstream: () => Dispatcher
  readonly #origin: string
  readonly #basePath: string
  readonly #plan: RequestHeaderPlan
  readonly #trust: AddressList
  readonly #forwardHost: boolean
  /** `loggedIn.cookies`, null when empty. */
  readonly #loggedInCookies: CookiePatterns | null
  /** `loggedIn.anonymousContext`, null when empty. */
  readonly #anonymousContext: string | null

  constructor (deps: RuntimeDeps) {
    const c = deps.config
    this.cfg = c
    this.rules = compileRules(c.rules as CacheConfig['rules'], deps.core.origin)
    this.store = deps.store
    this.coalescer = c.coalescing.enabled
      ? new Coalescer({ maxWait: c.coalescing.maxWait, hitForMiss: c.coalescing.hitForMiss })
      : null
    this.normalize = queryNormalizer({ sort: c.query.sort, drop: c.query.drop })
    this.dropQuery = queryDropper(c.query.drop)
    this.compressible = typeMatcher(c.compression.types)
    this.compression = c.compression.enabled
    this.minCompressSize = c.compression.minSize
    this.maxObjectSize = c.maxObjectSize
    this.log = deps.log
    this.outcome = deps.outcome
    this.serveOpts = { xCache: c.xCache }
    this.session = new CookiePatterns(cookieNameList(c.sessionCookie))
    this.#loggedInCookies = c.loggedIn.cookies.length === 0 ? null : new CookiePatterns(c.loggedIn.cookies)
    this.#anonymousContext = c.loggedIn.anonymousContext === '' ? null : c.loggedIn.anonymousContext
    this.purgeMethod = c.purge.method
    this.targeted = targetList(c.targetedHeader, c.cdnCacheControl)
    this.defaultRuleIndex = this.rules.length
    this.cookiesNeeded = this.rules.some(r => r.anonymousOnly || r.cookies !== null || !r.varyCookies.empty || r.scope !== 'shared')
    this.defaultPolicy = { ttl: 0, override: false, grace: c.grace, statuses: new Set(), notFoundTtl: 0 }
    this.metrics = new CacheMetrics(deps.registry, this.rules.map(r => r.name), deps.store)
    const n = c.statusName
    this.status = {
      hit: `${n}; hit`,
      swr: `${n}; hit; detail=stale-while-revalidate`,
      coalesced: `${n}; hit; collapsed`,
      miss: `${n}; fwd=miss`,
      stored: `${n}; fwd=miss; stored`,
      bypass: `${n}; fwd=bypass`,
      // RFC 9211 §2.2: the request's own directives kept the cache from answering.
      request: `${n}; fwd=request`
    }
    this.#purgeAllow = new AddressList(c.purge.allow)
    this.#upstream = deps.upstream
    const upstreamUrl = new URL(deps.core.upstream.url)
    this.#origin = upstreamUrl.origin
    this.#basePath = upstreamUrl.pathname.replace(/\/+$/, '')
    this.#plan = buildRequestHeaderPlan({
      dropRequestHeaders: deps.core.proxy.dropRequestHeaders,
      xForwarded: deps.core.proxy.xForwarded,
      forwardHost: deps.core.proxy.forwardHost,
      hostOverride: deps.core.upstream.preserveHost ? null : upstreamUrl.host
    })
    this.#trust = new AddressList(deps.core.server.trustProxy)
    this.#forwardHost = deps.core.proxy.forwardHost
    const ctx = c.context
    this.context = new ContextResolver({
      ttl: ctx.ttl,
      maxSessions: ctx.maxSessions,
      fetch: (cookie, host) => this.#fetchContext(cookie, host),
      onResolve: how => { this.metrics.contextResolved(how) }
    })
    this.store.on?.('evict', (_e: CacheEntry, reason: string) => {
      if (reason !== 'replaced') this.metrics.evictions.labels(reason).inc()
    })
  }

  /**
   * Whether the visitor is logged in, for anonymousOnly rules (`cache.loggedIn`): Authorization always is; then
   * a `loggedIn.cookies` cookie, or a context hash other than `loggedIn.anonymousContext` (an endpoint failure
   * counts as logged in: never shared). With neither configured, the session cookie's presence decides.
   */
  identify (headers: IncomingHttpHeaders, pairs: readonly CookiePair[], host: string,
    visitor: FastifyRequest | null = null): boolean | Promise<boolean> {
    if (headers.authorization !== undefined) return true
    const marks = this.#loggedInCookies
    const anonymous = this.#anonymousContext
    if (marks === null && anonymous === null) return this.session.anyPresent(pairs)
    if (marks !== null && marks.anyPresent(pairs)) return true
    if (anonymous === null) return false
    const sid = this.session.first(pairs)
    if (sid === undefined) return false
    const ctx = this.contextHash(sid, headers.cookie, host, visitor)
    if (typeof ctx === 'string') return ctx !== anonymous
    return ctx.then(hash => hash !== anonymous)
  }

  /**
   * A visitor that `loggedIn` calls anonymous may still hold a session. When an anonymousOnly rule that strips
   * Set-Cookie stores the page, the origin is asked without the session cookie: the shared entry is then rendered
   * for nobody, so a client that drops its logged-in flag (or an app that forgets to set it) can't make its own
   * page everyone's. The visitor keeps its cookie (PHP's new-session Set-Cookie is stripped).
   */
  dropsSession (rule: CompiledRule | null, headers: IncomingHttpHeaders): boolean {
    return rule !== null && rule.anonymousOnly && rule.stripSetCookie && headers.cookie !== undefined &&
      this.session.anyPresent(parseCookies(headers.cookie))
  }

  /** The context endpoint's hash for a session (cached per session digest); null when the endpoint fails.
   * `visitor`: the request that waits for it, marked for origin protection once the origin answered (kOriginResumed):
   * if its page needs the origin too, it goes first rather than being shed after the lookup's wait. */
  contextHash (sid: string, cookie: string | string[] | undefined, host: string,
    visitor: FastifyRequest | null = null): string | Promise<string | null> {
    const hash = this.context.resolve(digest(sid), Array.isArray(cookie) ? cookie.join('; ') : cookie ?? '', host)
    if (typeof hash === 'string' || visitor === null) return hash
    return hash.then(h => {
      if (h !== null) (visitor as FastifyRequest & OriginResumable)[kOriginResumed] = true
      return h
    })
  }

  /** The host part of keys: the host the origin is told about (src/proxy/headers.ts originHost). */
  keyHost (raw: IncomingMessage): string {
    const headers = raw.headers
    if (!this.#forwardHost || headers['x-forwarded-host'] === undefined) return (headers.host ?? '').toLowerCase()
    return originHost(headers, true, this.#trust.has(raw.socket.remoteAddress ?? ''))
  }

  encodingFor (headers: IncomingHttpHeaders): Encoding {
    return this.compression ? pickEncoding(headers['accept-encoding']) : IDENTITY
  }

  purgeAllowed (ip: string): boolean {
    return this.#purgeAllow.has(ip)
  }

  async purge (selector: PurgeSelector, via: string): Promise<number> {
    this.metrics.purged.labels(via).inc()
    this.coalescer?.forgetRecent()
    try {
      return await this.store.purge(selector)
    } catch (err) {
      this.log.warn({ err }, 'cache: purge failed')
      return 0
    }
  }

  /** Purges every scope and variant of the URLs. */
  async purgeUrls (urls: readonly string[], via: string): Promise<number> {
    let n = 0
    for (const u of urls) n += await this.purge({ kind: 'prefix', prefix: purgePrefixForUrl(u, this.normalize) }, via)
    return n
  }

  /** RFC 9111 §4.4: after an unsafe request succeeds, drop the target URI and same-host Location/Content-Location.
   * The purges start together, so the memory layer is cleared before this returns; the promise settles (never
   * rejects) once the shared store is clear too. */
  invalidate (state: CacheState, location: unknown, contentLocation: unknown): Promise<void> {
    const base = `${state.scheme}://${state.host}`
    const urls = [base + state.url]
    for (const v of [location, contentLocation]) {
      if (typeof v !== 'string' || v === '') continue
      try {
        const u = new URL(v, base + state.url)
        if (u.host.toLowerCase() === state.host) urls.push(`${base}${u.pathname}${u.search}`)
      } catch { /* an unparsable Location invalidates nothing more */ }
    }
    return Promise.all(urls.map(u => this.purge({ kind: 'prefix', prefix: purgePrefixForUrl(u, this.normalize) }, 'invalidation')))
      .then(() => undefined, () => undefined)
  }

  /** Serves nothing: starts one background refresh of a stale entry per key (stale-while-revalidate, grace). */
  refresh (entry: CacheEntry, request: FastifyRequest, key: string, rule: CompiledRule | null, scheme: string,
    host: string): void {
    if (this.#refreshing.has(key)) return
    this.#refreshing.add(key)
    const raw = request.raw
    const peer = raw.socket.remoteAddress ?? ''
    const headers = forwardRequestHeaders(raw.headers, this.#plan, { peer, trusted: this.#trust.has(peer), proto: scheme })
    const state = new CacheState(STORE, key, scheme, host, raw.url ?? '/', rule, null, raw.headers)
    state.stale = entry
    state.dropSession = this.dropsSession(rule, raw.headers)
    const opts: Dispatcher.DispatchOptions & { [kCacheState]: CacheState } = {
      origin: this.#origin,
      path: this.#basePath + (raw.url ?? '/'),
      method: 'GET',
      headers,
      [kCacheState]: state
    }
    const done = (): void => { this.#refreshing.delete(key) }
    try {
      this.#upstream().dispatch(opts, new SinkHandler(done))
    } catch (err) {
      done()
      this.log.warn({ err }, 'cache: background refresh failed to start')
    }
  }

  async #fetchContext (cookie: string, host: string): Promise<string | null> {
    const c = this.cfg.context
    const started = performance.now()
    const took = (): number => (performance.now() - started) / 1000
    try {
      const opts: Dispatcher.RequestOptions & { [kOriginLane]: 'high' } = {
        origin: this.#origin,
        path: this.#basePath + c.endpoint,
        method: 'GET',
        headers: { host, cookie, accept: '*/*' },
        headersTimeout: c.timeout,
        bodyTimeout: c.timeout,
        // Under origin protection the lookup waits in the high lane: it is a tiny script, and every request of the
        // session bypasses the cache until it is answered (in the low lane, new sessions' lookups were shed first).
        [kOriginLane]: 'high'
      }
      const res = await this.#upstream().request(opts)
      res.body.resume()
      const v = res.headers[c.header.toLowerCase()]
      const hash = Array.isArray(v) ? v[0] : v
      if (res.statusCode !== 200 || typeof hash !== 'string' || hash === '') {
        this.metrics.contextFetched('status', took())
        return null
      }
      this.metrics.contextFetched('ok', took())
      return hash
    } catch (err) {
      const code = (err as { code?: unknown }).code
      if (code === 'SIPUP_ERR_UPSTREAM_OVERLOADED') {
        // Origin protection is shedding: counted (here and by the guard), not logged once per session.
        this.metrics.contextFetched('shed', took())
        return null
      }
      this.metrics.contextFetched(code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' ? 'timeout' : 'error', took())
      this.log.warn({ err: { message: (err as Error).message } }, 'cache: context endpoint failed; request bypasses the cache')
      return null
    }
  }

  close (): void {
    this.coalescer?.close()
  }
}

/** Handler of a background refresh: nobody waits for the body, the cache handler around it stores it. */
class SinkHandler implements Dispatcher.DispatchHandler {
  readonly #done: () => void
  constructor (done: () => void) { this.#done = done }
  onRequestStart (): void {}
  onResponseStart (): void {}
  onResponseData (): void {}
  onResponseEnd (): void { this.#done() }
  onResponseError (): void { this.#done() }
}
