// The upstream interceptor: sees every origin response of a request the onRequest hook left a CacheState on,
// tees storable bodies into the store, answers from a stale entry when the origin fails (stale-if-error) or
// confirms it (304), and purges after successful unsafe requests. One handler object per request; it passes
// everything else on to the core's handler unchanged, so backpressure stays the core's.
import type { Dispatcher } from 'undici'
import { parseCookies, resendsOwnCookies, withoutCookies } from '../../core/cookies.js'
import type { UpstreamShed } from '../../core/types.js'
import { varyWithAcceptEncoding } from '../../core/content-coding.js'
import { SIPUP_ERR_UPSTREAM_OVERLOADED } from '../../errors.js'
import { kCacheState, kSidecarRequest } from '../../symbols.js'
import { dropFromTarget } from './cache-key.js'
import { buildEntries, parseTags, timesFor } from './entry-builder.js'
import { analyzeResponse, merge304, notModified, parseCacheControl, type Analysis, type Headers, type PolicyRule } from './policy.js'
import type { CacheRuntime } from './runtime.js'
import { rangeAnswer } from './range.js'
import { entryHeaders } from './serve.js'
import { INVALIDATE, STORE, type CacheState } from './state.js'
import { policyView, targetedValue, withoutTargeted } from './targeted.js'
import type { CacheEntry } from './types.js'
import type { Outcome } from './metrics.js'

type Handler = Dispatcher.DispatchHandler
type Controller = Dispatcher.DispatchController
type Opts = Dispatcher.DispatchOptions & { [kCacheState]?: CacheState | null, [kSidecarRequest]?: { [kCacheState]?: CacheState | null } }

/** Request headers the cache sets itself on a store candidate: it wants a full identity body it can compress. */
/** Origin protection shed the request (the origin never saw it): src/core/types.ts UpstreamShed. */
const SHED = SIPUP_ERR_UPSTREAM_OVERLOADED.code

const CONDITIONAL = new Set(['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range'])

export function cacheInterceptor (rt: CacheRuntime): Dispatcher.DispatcherComposeInterceptor {
  const drop = rt.dropQuery
  return dispatch => function cacheDispatch (opts: Opts, handler: Handler) {
    // One rule for key and origin: what the key ignores, the origin never sees (any method, any request).
    if (drop !== null && opts.path.includes('?')) {
      const path = dropFromTarget(opts.path, drop)
      if (path !== opts.path) opts = { ...opts, path }
    }
    const own = opts[kCacheState]
    const state = own !== undefined ? own : opts[kSidecarRequest]?.[kCacheState]
    if (state === undefined || state === null || (state.mode !== STORE && state.mode !== INVALIDATE)) {
      return dispatch(opts, rt.targeted.length === 0 ? handler : new StripTargetedHandler(rt.targeted, handler))
    }
    if (state.mode === INVALIDATE) return dispatch(opts, new InvalidateHandler(rt, state, handler))
    return dispatch({ ...opts, headers: storeRequestHeaders(rt, opts.headers, state) }, new CacheHandler(rt, state, handler))
  }
}

function storeRequestHeaders (rt: CacheRuntime, src: Opts['headers'], state: CacheState): string[] {
  const out: string[] = []
  const add = (name: string, value: unknown): void => {
    const n = name.toLowerCase()
    if (CONDITIONAL.has(n) || (rt.compression && n === 'accept-encoding')) return
    if (n === 'cookie' && state.dropSession) {
      const kept = withoutCookies(Array.isArray(value) ? value.join('; ') : String(value), rt.session)
      if (kept !== '') out.push(n, kept)
      return
    }
    if (Array.isArray(value)) for (const v of value) out.push(n, String(v))
    else if (value !== undefined && value !== null) out.push(n, String(value))
  }
  if (Array.isArray(src)) {
    for (let i = 0; i < src.length; i += 2) add(String(src[i]), src[i + 1])
  } else if (src !== null && src !== undefined && typeof (src as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    for (const [k, v] of Object.entries(src as Record<string, unknown>)) add(k, v)
  }
  const stale = state.stale
  if (stale !== null) {
    const etag = stale.headers.etag
    const lm = stale.headers['last-modified']
    if (typeof etag === 'string') out.push('if-none-match', etag)
    if (typeof lm === 'string') out.push('if-modified-since', lm)
    state.conditional = typeof etag === 'string' || typeof lm === 'string'
  }
  return out
}

/** Stands in for undici's controller when the cache answers after the origin request is gone. */
const DETACHED: Controller = {
  abort () {}, pause () {}, resume () {}, paused: false, aborted: false, reason: null
}

class CacheHandler implements Handler {
  readonly #rt: CacheRuntime
  readonly #state: CacheState
  readonly #next: Handler
  #started = false
  /** The cache answered downstream itself; the origin's response is drained and ignored. */
  #replaced = false
  #chunks: Buffer[] | null = null
  #size = 0
  #status = 0
  #headers: Headers | null = null
  #analysis: Analysis | null = null
  #targeted: string | null = null
  #responseTime = 0

  constructor (rt: CacheRuntime, state: CacheState, next: Handler) {
    this.#rt = rt
    this.#state = state
    this.#next = next
  }

  onRequestStart (controller: Controller, context: unknown): void {
    this.#started = true
    this.#next.onRequestStart?.(controller, context)
  }

  onRequestUpgrade (controller: Controller, statusCode: number, headers: Headers, socket: import('node:stream').Duplex): void {
    this.#next.onRequestUpgrade?.(controller, statusCode, headers as never, socket)
  }

  onResponseStart (controller: Controller, statusCode: number, headers: Headers, statusMessage?: string): void {
    if (statusCode < 200) { this.#next.onResponseStart?.(controller, statusCode, headers as never, statusMessage); return }
    const rt = this.#rt
    const state = this.#state
    const now = Date.now()
    this.#responseTime = now
    const stale = state.stale
    if (stale !== null) {
      if (statusCode === 304 && state.conditional) { this.#revalidated(controller, stale, headers, now); return }
      if (statusCode >= 500 && now < stale.sieUntil) {
        this.#serveStale(controller, stale, now, `${rt.cfg.statusName}; fwd=stale; fwd-status=${statusCode}; detail=${staleWhy(stale, now)}`, 'error')
        return
      }
    }
    const targeted = targetedValue(headers, rt.targeted)
    let out = withoutTargeted(headers, rt.targeted)
    if (state.rule?.stripSetCookie === true && out['set-cookie'] !== undefined) out = without(out, 'set-cookie')
    // What the client gets; `out` becomes the stored copy. A per-user page whose only Set-Cookie re-sends the
    // requester's own session cookie is stored without it (the client still gets it on this miss).
    const toClient = out
    const sc = out['set-cookie']
    if (sc !== undefined && state.rule?.scope === 'per-user' &&
      resendsOwnCookies(sc, parseCookies(state.headers.cookie), rt.session, now)) out = without(out, 'set-cookie')
    const encoding = out['content-encoding']
    const encoded = encoding !== undefined && encoding !== 'identity'
    const a = analyzeResponse({ method: 'GET', url: state.url, headers: state.headers }, statusCode,
      policyView(out, targeted), ruleOf(rt, state), rt.compression && !encoded)
    let why = a.uncacheable
    const len = Number(out['content-length'])
    if (why === null && len > rt.maxObjectSize) why = 'too-large'
    const res: Headers = { ...toClient }
    if (why === null) {
      this.#chunks = []
      this.#analysis = a
      this.#headers = out
      this.#targeted = targeted
      this.#status = statusCode
    } else {
      this.#settle(null, true)
    }
    const compressible = why === null && !encoded && rt.compression && !(len < rt.minCompressSize) &&
      rt.compressible(out['content-type'])
    if (compressible) res.vary = varyWithAcceptEncoding(out.vary)
    const status = rt.status
    const fwd = stale === null ? (why === null ? status.stored : `${status.miss}; detail=${why}`)
      : `${rt.cfg.statusName}; fwd=stale; fwd-status=${statusCode}${why === null ? '; stored' : `; detail=${why}`}`
    if (rt.serveOpts.xCache) res['x-cache'] = 'MISS'
    res['cache-status'] = fwd
    this.#count('MISS')
    this.#next.onResponseStart?.(controller, statusCode, res as never, statusMessage)
  }

  onResponseData (controller: Controller, chunk: Buffer): void {
    if (this.#replaced) return
    const chunks = this.#chunks
    if (chunks !== null) {
      this.#size += chunk.length
      if (this.#size > this.#rt.maxObjectSize) {
        // Too large to store: stream the rest through and let waiters go to the origin.
        this.#chunks = null
        this.#settle(null, true)
      } else {
        chunks.push(chunk)
      }
    }
    this.#next.onResponseData?.(controller, chunk)
  }

  onResponseEnd (controller: Controller, trailers: Headers): void {
    if (this.#replaced) return
    const chunks = this.#chunks
    // From here the commit settles the flight, not the request's onResponse hook.
    const leader = this.#state.leader
    this.#state.leader = false
    this.#next.onResponseEnd?.(controller, trailers as never)
    if (chunks !== null) {
      this.#commit(chunks, leader).catch(err => {
        this.#rt.log.warn({ err }, 'cache: storing a response failed')
        if (leader) this.#rt.coalescer?.settle(this.#state.key, null, false)
      })
    } else if (leader) {
      this.#rt.coalescer?.settle(this.#state.key, null, false)
    }
  }

  onResponseError (controller: Controller, err: Error): void {
    if (this.#replaced) return
    const stale = this.#state.stale
    this.#chunks = null
    if (stale !== null && this.#headers === null) {
      const now = Date.now()
      if ((err as Error & { code?: string }).code === SHED) {
        // The origin is at its limit: any copy still within its grace (stale-while-revalidate / stale-if-error
        // window) beats a 503.
        if (now < Math.max(stale.swrUntil, stale.sieUntil)) {
          this.#serveStale(DETACHED, stale, now, `${this.#rt.cfg.statusName}; fwd=stale; detail=${(err as UpstreamShed).reason}`, 'overload')
          return
        }
      } else if (now < stale.sieUntil) {
        this.#serveStale(DETACHED, stale, now, `${this.#rt.cfg.statusName}; fwd=stale; detail=${staleWhy(stale, now)}-${originFailure(err)}`, 'error')
        return
      }
    }
    this.#settle(null, false)
    this.#next.onResponseError?.(controller, err)
  }

  async #commit (chunks: Buffer[], leader: boolean): Promise<void> {
    const rt = this.#rt
    const state = this.#state
    const a = this.#analysis as Analysis
    const headers = this.#headers as Headers
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.#size)
    const encoded = headers['content-encoding'] !== undefined && headers['content-encoding'] !== 'identity'
    const entries = await buildEntries({
      key: state.key,
      status: this.#status,
      headers,
      body,
      analysis: a,
      responseTime: this.#responseTime,
      rule: state.rule?.name ?? 'default',
      requestHeaders: state.headers,
      compress: rt.compression && !encoded && body.length >= rt.minCompressSize && rt.compressible(headers['content-type']),
      targeted: this.#targeted
    })
    const pending: Promise<void>[] = []
    for (const e of entries) {
      const r = rt.store.set(e)
      if (r instanceof Promise) pending.push(r)
    }
    if (leader) rt.coalescer?.settle(state.key, entries[0], false)
    await Promise.all(pending)
  }

  #revalidated (controller: Controller, stale: CacheEntry, headers: Headers, now: number): void {
    const rt = this.#rt
    const state = this.#state
    // A 304 without a targeted field keeps the one stored with the response (RFC 9111 §4.3.4 header update).
    const targeted = targetedValue(headers, rt.targeted) ?? stale.targeted ?? null
    const merged = merge304(stale.headers, withoutTargeted(headers, rt.targeted))
    const a = analyzeResponse({ method: 'GET', url: state.url, headers: state.headers }, stale.status,
      policyView(merged, targeted), ruleOf(rt, state), rt.compression)
    let entry = stale
    if (a.uncacheable === null) {
      entry = {
        key: stale.key,
        status: stale.status,
        headers: merged,
        body: stale.body,
        br: stale.br,
        gzip: stale.gzip,
        responseTime: now,
        initialAge: a.initialAge,
        ...timesFor(a, now),
        authOk: a.authOk,
        tags: parseTags(merged),
        vary: null,
        rule: stale.rule
      }
      if (targeted !== null) entry.targeted = targeted
      const r = rt.store.set(entry)
      if (r instanceof Promise) r.catch(() => undefined)
    }
    if (state.leader) { state.leader = false; rt.coalescer?.settle(state.key, entry, false) }
    this.#count('REVALIDATED')
    this.#answer(controller, entry, now, 'REVALIDATED', `${rt.cfg.statusName}; fwd=stale; fwd-status=304`)
  }

  #serveStale (controller: Controller, stale: CacheEntry, now: number, cacheStatus: string, why: 'error' | 'overload'): void {
    this.#rt.metrics.staleServed.labels(why).inc()
    this.#settle(null, false)
    this.#count('STALE')
    this.#answer(controller, stale, now, 'STALE', cacheStatus)
  }

  /** Sends a stored response downstream in place of the origin's. */
  #answer (controller: Controller, entry: CacheEntry, now: number, outcome: Outcome, cacheStatus: string): void {
    this.#replaced = true
    const next = this.#next
    const state = this.#state
    if (state.request !== null) this.#rt.outcome.set(state.request.sidecar, outcome)
    if (!this.#started) { this.#started = true; next.onRequestStart?.(controller, {}) }
    if (state.request !== null && notModified(state.headers, entry.headers)) {
      // The 304 carries the ETag and Vary a 200 would (a weak ETag for a compressed copy).
      const { headers } = entryHeaders(entry, this.#rt.encodingFor(state.headers), now, this.#rt.serveOpts, outcome, cacheStatus)
      const h304: Headers = {}
      for (const k of ['cache-control', 'content-location', 'date', 'etag', 'expires', 'vary', 'last-modified', 'age', 'x-cache', 'cache-status']) {
        if (headers[k] !== undefined) h304[k] = headers[k]
      }
      next.onResponseStart?.(controller, 304, h304 as never, 'Not Modified')
      next.onResponseEnd?.(controller, {})
      return
    }
    // A Range on a revalidated or stale answer is served from the stored body, as on a hit (RFC 9110 §14.2: GET only).
    if (state.request !== null && state.headers.range !== undefined && state.request.raw.method === 'GET') {
      const ranged = rangeAnswer(entry, state.headers, now, this.#rt.serveOpts, outcome, cacheStatus)
      if (ranged !== null) {
        const h: Record<string, string | string[]> = {}
        for (let i = 0; i < ranged.headers.length; i += 2) {
          const k = ranged.headers[i]
          const prev = h[k]
          h[k] = prev === undefined ? ranged.headers[i + 1] : Array.isArray(prev) ? [...prev, ranged.headers[i + 1]] : [prev, ranged.headers[i + 1]]
        }
        next.onResponseStart?.(controller, ranged.status, h as never, '')
        if (ranged.body.length > 0) next.onResponseData?.(controller, ranged.body)
        next.onResponseEnd?.(controller, {})
        return
      }
    }
    const { headers, body } = entryHeaders(entry, this.#rt.encodingFor(state.headers), now, this.#rt.serveOpts, outcome, cacheStatus)
    next.onResponseStart?.(controller, entry.status, headers as never, '')
    if (body.length > 0) next.onResponseData?.(controller, body)
    next.onResponseEnd?.(controller, {})
  }

  #settle (entry: CacheEntry | null, pass: boolean): void {
    const state = this.#state
    if (!state.leader) {
      if (pass) this.#rt.coalescer?.settle(state.key, null, true)
      return
    }
    state.leader = false
    this.#rt.coalescer?.settle(state.key, entry, pass)
  }

  #count (outcome: Outcome): void {
    const state = this.#state
    if (state.request === null) return
    if (outcome !== 'MISS') this.#rt.outcome.set(state.request.sidecar, outcome)
    this.#rt.metrics.lookup(state.rule === null ? this.#rt.defaultRuleIndex : state.rule.index, outcome)
  }
}

/** Longest an unsafe request's response waits for its invalidation to reach Redis. */
const PURGE_WAIT_MS = 2_000

/** Purges the target (and Location / Content-Location) once an unsafe request succeeded. The response ends only
 * after the purge is through, so the client's next request can't meet the old entry in the shared store. */
class InvalidateHandler implements Handler {
  readonly #rt: CacheRuntime
  readonly #state: CacheState
  readonly #next: Handler
  #purging: Promise<void> | null = null

  constructor (rt: CacheRuntime, state: CacheState, next: Handler) {
    this.#rt = rt
    this.#state = state
    this.#next = next
  }

  onRequestStart (controller: Controller, context: unknown): void { this.#next.onRequestStart?.(controller, context) }
  onRequestUpgrade (controller: Controller, statusCode: number, headers: Headers, socket: import('node:stream').Duplex): void {
    this.#next.onRequestUpgrade?.(controller, statusCode, headers as never, socket)
  }

  onResponseStart (controller: Controller, statusCode: number, headers: Headers, statusMessage?: string): void {
    if (statusCode >= 200 && statusCode < 400) this.#purging = this.#rt.invalidate(this.#state, headers.location, headers['content-location'])
    this.#next.onResponseStart?.(controller, statusCode, withoutTargeted(headers, this.#rt.targeted) as never, statusMessage)
  }

  onResponseData (controller: Controller, chunk: Buffer): void { this.#next.onResponseData?.(controller, chunk) }
  onResponseEnd (controller: Controller, trailers: Headers): void {
    const purging = this.#purging
    if (purging === null) { this.#next.onResponseEnd?.(controller, trailers as never); return }
    // Bounded: a Redis that hangs (redis.commandTimeout 0) delays the answer by PURGE_WAIT_MS at most.
    let ended = false
    const end = (): void => {
      if (ended) return
      ended = true
      clearTimeout(timer)
      this.#next.onResponseEnd?.(controller, trailers as never)
    }
    const timer = setTimeout(end, PURGE_WAIT_MS)
    purging.then(end, end)
  }

  onResponseError (controller: Controller, err: Error): void { this.#next.onResponseError?.(controller, err) }
}

/** Responses the cache doesn't store still lose the targeted fields: they are meant for the sidecar alone. */
class StripTargetedHandler implements Handler {
  readonly #names: readonly string[]
  readonly #next: Handler

  constructor (names: readonly string[], next: Handler) {
    this.#names = names
    this.#next = next
  }

  onRequestStart (controller: Controller, context: unknown): void { this.#next.onRequestStart?.(controller, context) }
  onRequestUpgrade (controller: Controller, statusCode: number, headers: Headers, socket: import('node:stream').Duplex): void {
    this.#next.onRequestUpgrade?.(controller, statusCode, headers as never, socket)
  }

  onResponseStart (controller: Controller, statusCode: number, headers: Headers, statusMessage?: string): void {
    this.#next.onResponseStart?.(controller, statusCode, withoutTargeted(headers, this.#names) as never, statusMessage)
  }

  onResponseData (controller: Controller, chunk: Buffer): void { this.#next.onResponseData?.(controller, chunk) }
  onResponseEnd (controller: Controller, trailers: Headers): void { this.#next.onResponseEnd?.(controller, trailers as never) }
  onResponseError (controller: Controller, err: Error): void { this.#next.onResponseError?.(controller, err) }
}

const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'])
const CLOSED = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED'])
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'])

/** Cache-Status detail of a stale answer: what went wrong with the origin, in words an operator reads. */
function originFailure (err: Error & { code?: string }): string {
  const code = err.code ?? ''
  if (TIMEOUTS.has(code)) return 'origin-timeout'
  if (CLOSED.has(code)) return 'origin-closed'
  if (UNREACHABLE.has(code)) return 'origin-unreachable'
  return 'origin-error'
}

/** What allowed the stale answer: the origin's own stale-if-error, or the configured grace (RFC 9111 §4.2.4). */
function staleWhy (stale: CacheEntry, now: number): string {
  const sie = parseCacheControl(stale.targeted ?? stale.headers['cache-control']).get('stale-if-error')
  const secs = typeof sie === 'string' && /^\d+$/.test(sie) ? Number(sie) : 0
  return now < stale.freshUntil + secs * 1000 ? 'stale-if-error' : 'grace'
}

function ruleOf (rt: CacheRuntime, state: CacheState): PolicyRule {
  return state.rule ?? rt.defaultPolicy
}

function without (h: Headers, name: string): Headers {
  const out: Headers = {}
  for (const k in h) if (k !== name) out[k] = h[k]
  return out
}

