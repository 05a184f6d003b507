// The proxy route's onRequest hook: decides per request whether to answer from the cache, and otherwise leaves
// a CacheState for the upstream interceptor. Cheapest checks first: method, then rule, then key, then store.
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import { SIPUP_ERR_CACHE_PURGE_FORBIDDEN } from '../../errors.js'
import { kCacheState } from '../../symbols.js'
import { parseCookies, type CookiePair } from '../../core/cookies.js'
import { digest, purgePrefixForUrl, ruleVaryPart, urlKey, varyKey } from './cache-key.js'
import { evaluate, notModified, parseCacheControl } from './policy.js'
import { matchRule, type CompiledRule } from './rules.js'
import { RouteMemoEntry } from './route-memo.js'
import { originPath } from '../../core/origin-path.js'
import { addResponseHeaders } from '../../core/response-headers.js'
import type { CacheRuntime } from './runtime.js'
import { serveRange } from './range.js'
import { serveEntry, serveNotModified } from './serve.js'
import { CacheState, INVALIDATE, STORE } from './state.js'
import type { CacheEntry } from './types.js'
import type { Outcome } from './metrics.js'

type Done = (err?: Error) => void
type WithState = FastifyRequest & { [kCacheState]: CacheState | null }

/** Methods whose success invalidates (RFC 9111 §4.4: any method not known to be safe). */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH', 'REPORT'])
const NO_CACHE = new Map<string, string | true>([['no-cache', true]])
const NO_COOKIES: readonly CookiePair[] = []

interface Lookup {
  rt: CacheRuntime
  request: WithState
  reply: FastifyReply
  rule: CompiledRule | null
  key: string
  scheme: string
  host: string
  done: Done
  /** Already waited for a coalescing flight: don't join another. */
  waited: boolean
  /** The coalescer's mark from before the store lookup (flights settled during the lookup count). */
  since: number
}

export function onRequestHook (rt: CacheRuntime): onRequestHookHandler {
  return function cacheOnRequest (request, reply, done) {
    const req = request as WithState
    const raw = request.raw
    const method = raw.method as string
    if (method !== 'GET' && method !== 'HEAD') {
      if (method === 'PURGE' && rt.purgeMethod) {
        req[kCacheState] = null
        handlePurge(rt, request, reply)
        return
      }
      req[kCacheState] = SAFE.has(method)
        ? null
        : new CacheState(INVALIDATE, '', scheme(request), rt.keyHost(raw), raw.url ?? '/', null, null, raw.headers)
      done()
      return
    }
    const host = rt.keyHost(raw)
    // Without a rule that reads cookies, `identified` and the pairs change nothing (matchRule skips anonymousOnly
    // rules only, keys read cookies only for vary.cookies and scopes): the rule and the key base are the target's.
    if (!rt.cookiesNeeded) { remembered(rt, req, reply, host, done); return }
    // Parsed once, only when a rule may need it; every pair counts (not the first `NAME=` substring).
    const pairs = parseCookies(raw.headers.cookie)
    const identified = rt.identify(raw.headers, pairs, host, request)
    if (typeof identified === 'boolean') { route(rt, req, reply, pairs, host, identified, done); return }
    identified.then(id => { route(rt, req, reply, pairs, host, id, done) }, done)
  }
}

/** route + keyAndLookup for a request whose cookies no rule reads, through the runtime's RouteMemo. */
function remembered (rt: CacheRuntime, req: WithState, reply: FastifyReply, host: string, done: Done): void {
  const raw = req.raw
  const url = raw.url as string
  const method = raw.method as string
  const sch = scheme(req)
  let m = rt.routes.get(url, method, sch, host)
  if (m === null) {
    const rule = rt.rules.length === 0 ? null : ruleFor(rt, method, url, host, false, NO_COOKIES)
    const key = rule !== null && rule.bypass ? '' : urlKey(url, sch, host, rt.normalize) + (rule === null ? '' : rule.keyPart)
    m = new RouteMemoEntry(method, sch, host, rule, key)
    rt.routes.set(url, m)
  }
  const rule = m.rule
  let key = m.key
  if (rule !== null) {
    req.sidecar.route = rule.name
    if (rule.bypass) { bypass(rt, req, rule, 'rule', done); return }
    // No vary.cookies here (cookiesNeeded would be true), and the scope is shared.
    if (rule.varyHeaders.length > 0) key += ruleVaryPart(rule.varyCookies, NO_COOKIES, rule.varyHeaders, raw.headers)
  }
  lookup({ rt, request: req, reply, rule, key, scheme: sch, host, done, waited: false, since: 0 })
}

/** The first rule the request matches (anonymousOnly rules skip logged-in visitors), null when none. */
function ruleFor (rt: CacheRuntime, method: string, url: string, host: string, identified: boolean,
  cookies: readonly CookiePair[]): CompiledRule | null {
  const q = url.indexOf('?')
  return matchRule(rt.rules, { method, host, identified, cookies, path: originPath(url), query: q === -1 ? '' : url.slice(q + 1) })
}

/** Picks the rule (anonymousOnly rules skip logged-in visitors), then keys and looks up. */
function route (rt: CacheRuntime, req: WithState, reply: FastifyReply, pairs: readonly CookiePair[], host: string,
  identified: boolean, done: Done): void {
  const raw = req.raw
  const rule = ruleFor(rt, raw.method as string, raw.url as string, host, identified, pairs)
  if (rule !== null) {
    req.sidecar.route = rule.name
    if (rule.bypass) { bypass(rt, req, rule, 'rule', done); return }
  }
  keyAndLookup(rt, req, reply, rule, pairs, host, done)
}

function keyAndLookup (rt: CacheRuntime, req: WithState, reply: FastifyReply, rule: CompiledRule | null,
  pairs: readonly CookiePair[], host: string, done: Done): void {
  const headers = req.raw.headers
  const sch = scheme(req)
  let key = urlKey(req.raw.url as string, sch, host, rt.normalize)
  if (rule !== null) {
    // Entries of different rules never mix: a logged-in request that skipped an anonymousOnly rule must not
    // find the anonymous page the rule stored.
    key += rule.keyPart
    if (!rule.varyCookies.empty || rule.varyHeaders.length > 0) {
      key += ruleVaryPart(rule.varyCookies, pairs, rule.varyHeaders, headers)
    }
    if (rule.scope !== 'shared') {
      const sid = rt.session.first(pairs)
      if (rule.scope === 'per-user') {
        if (sid === undefined) { bypass(rt, req, rule, 'no-session', done); return }
        key += `u:${digest(sid)};`
      } else if (sid === undefined) {
        key += 'x:-;'
      } else {
        const ctx = rt.contextHash(sid, headers.cookie, host, req)
        if (typeof ctx === 'string') {
          key += `x:${digest(ctx)};`
        } else {
          const base = key
          ctx.then(hash => {
            if (hash === null) bypass(rt, req, rule, 'context-unavailable', done)
            else lookup({ rt, request: req, reply, rule, key: `${base}x:${digest(hash)};`, scheme: sch, host, done, waited: false, since: 0 })
          }, done)
          return
        }
      }
    }
  }
  lookup({ rt, request: req, reply, rule, key, scheme: sch, host, done, waited: false, since: 0 })
}

function scheme (request: FastifyRequest): string {
  const raw = request.raw
  if ((raw.socket as { encrypted?: boolean }).encrypted === true) return 'https'
  return raw.headers['x-forwarded-proto'] === undefined ? 'http' : request.protocol
}

function bypass (rt: CacheRuntime, request: WithState, rule: CompiledRule | null,
  why: string, done: Done, status = rt.status.bypass): void {
  request[kCacheState] = null
  rt.outcome.set(request.sidecar, 'BYPASS')
  rt.metrics.lookup(rule === null ? rt.defaultRuleIndex : rule.index, 'BYPASS')
  const state = request.sidecar
  if (rt.serveOpts.xCache) state.setResponseHeader('x-cache', 'BYPASS')
  state.setResponseHeader('cache-status', `${status}; detail=${why}`)
  done()
}

function lookup (l: Lookup): void {
  const cc = l.request.raw.headers['cache-control']
  // RFC 9111 §5.2.1.5: a request no-store may neither be answered from the cache nor have its response stored.
  if (cc !== undefined && parseCacheControl(cc).has('no-store')) {
    bypass(l.rt, l.request, l.rule, 'request-no-store', l.done, l.rt.status.request)
    return
  }
  l.since = l.rt.coalescer?.mark() ?? 0
  let got
  try {
    got = l.rt.store.get(l.key)
  } catch (err) {
    l.rt.log.warn({ err }, 'cache: store get failed')
    got = undefined
  }
  if (got instanceof Promise) got.then(e => afterGet(l, e), () => afterGet(l, undefined))
  else afterGet(l, got)
}

function afterGet (l: Lookup, entry: CacheEntry | undefined): void {
  if (entry === undefined || entry.vary === null) { decide(l, entry); return }
  let got
  try {
    got = l.rt.store.get(varyKey(l.key, entry.vary, l.request.raw.headers))
  } catch {
    got = undefined
  }
  if (got instanceof Promise) got.then(e => decide(l, e), () => decide(l, undefined))
  else decide(l, got)
}

function decide (l: Lookup, entry: CacheEntry | undefined): void {
  const { rt, request } = l
  const headers = request.raw.headers
  const now = Date.now()
  const cc = headers['cache-control']
  const reqCc = cc !== undefined
    ? parseCacheControl(cc)
    : headers.pragma !== undefined && /no-cache/i.test(String(headers.pragma)) ? NO_CACHE : null
  const ruleIndex = l.rule === null ? rt.defaultRuleIndex : l.rule.index
  const head = request.raw.method === 'HEAD'
  if (entry !== undefined && (headers.authorization === undefined || entry.authOk)) {
    const verdict = evaluate(entry, now, reqCc)
    if (verdict === 'fresh') { hit(l, entry, now, 'HIT', rt.status.hit, ruleIndex); return }
    if (verdict === 'stale-ok') {
      rt.metrics.staleServed.labels('revalidate').inc()
      hit(l, entry, now, 'STALE', rt.status.swr, ruleIndex)
      rt.refresh(entry, request, l.key, l.rule, l.scheme, l.host)
      return
    }
  }
  if (reqCc !== null && reqCc.has('only-if-cached')) {
    // RFC 9111 §5.2.1.7: nothing usable stored, and the client forbids going to the origin.
    request[kCacheState] = null
    rt.outcome.set(request.sidecar, 'MISS')
    l.reply.hijack()
    const out: Record<string, string> = { 'content-length': '0', 'cache-status': `${rt.status.miss}; detail=only-if-cached` }
    addResponseHeaders(out, request.sidecar.responseHeaders)
    l.reply.raw.writeHead(504, out)
    l.reply.raw.end()
    return
  }
  // HEAD is answered from a stored GET but never stored itself (it has no body to store).
  if (head) {
    request[kCacheState] = null
    rt.outcome.set(request.sidecar, 'MISS')
    rt.metrics.lookup(ruleIndex, 'MISS')
    l.done()
    return
  }
  const state = new CacheState(STORE, l.key, l.scheme, l.host, request.raw.url as string, l.rule, request, headers)
  if (entry !== undefined && (headers.authorization === undefined || entry.authOk)) state.stale = entry
  state.dropSession = rt.dropsSession(l.rule, headers)
  request[kCacheState] = state
  rt.outcome.set(request.sidecar, 'MISS')
  const co = rt.coalescer
  if (co === null || l.waited || headers.authorization !== undefined || co.isPass(l.key)) { l.done(); return }
  const wait = co.join(l.key, l.since, reqCc === null)
  if (wait === null) {
    state.leader = true
    // A leader that never reaches the origin (client gone, request error) releases its waiters when it closes;
    // one listener per miss, not a hook on every request.
    l.reply.raw.once('close', () => {
      if (state.leader) { state.leader = false; co.settle(state.key, null, false) }
    })
    l.done()
    return
  }
  rt.metrics.coalesced.inc()
  wait.then(got => {
    if (got !== null && got.key === l.key) {
      hit(l, got, Date.now(), 'HIT', rt.status.coalesced, ruleIndex)
    } else if (got !== null) {
      // The leader's response varied: look again for this request's own variant.
      lookup({ ...l, waited: true })
    } else {
      l.done()
    }
  }, () => { l.done() })
}

function hit (l: Lookup, entry: CacheEntry, now: number, outcome: Outcome, cacheStatus: string, ruleIndex: number): void {
  const { rt, request, reply } = l
  request[kCacheState] = null
  rt.outcome.set(request.sidecar, outcome)
  rt.metrics.lookup(ruleIndex, outcome)
  reply.hijack()
  const headers = request.raw.headers
  if ((headers['if-none-match'] !== undefined || headers['if-modified-since'] !== undefined) &&
    notModified(headers, entry.headers)) {
    serveNotModified(reply.raw, entry, rt.encodingFor(headers), now, rt.serveOpts, outcome, cacheStatus, request.sidecar.responseHeaders)
    return
  }
  // RFC 9110 §14.2: range handling is defined for GET only.
  if (headers.range !== undefined && request.raw.method === 'GET' &&
    serveRange(reply.raw, entry, headers, now, rt.serveOpts, outcome, cacheStatus, request.sidecar.responseHeaders)) return
  serveEntry(reply.raw, entry, rt.encodingFor(headers), request.raw.method === 'HEAD', now, rt.serveOpts, outcome, cacheStatus,
    request.sidecar.responseHeaders)
}

function handlePurge (rt: CacheRuntime, request: FastifyRequest, reply: FastifyReply): void {
  rt.outcome.set(request.sidecar, 'PURGE')
  if (!rt.purgeAllowed(request.ip)) {
    reply.send(new SIPUP_ERR_CACHE_PURGE_FORBIDDEN(request.ip))
    return
  }
  const url = `${scheme(request)}://${rt.keyHost(request.raw)}${request.raw.url ?? '/'}`
  rt.purge({ kind: 'prefix', prefix: purgePrefixForUrl(url, rt.normalize) }, 'method').then(purged => {
    reply.code(200).header('cache-control', 'no-store').send({ purged })
  }, err => { reply.send(err) })
}
