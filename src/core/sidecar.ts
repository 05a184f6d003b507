// `fastify.sidecar`: the container plus the registration windows of the HTTP app, and the Fastify core plugin that
// decorates it. The composition root (src/app.ts) takes what plugins registered at fixed points of start-up
// (take*() below), which closes each window: a call after its window throws SIPUP_ERR_PLUGIN_LATE_CALL, like
// Fastify's FST_ERR_DEC_AFTER_START, instead of registering something that would never run.
import fp from 'fastify-plugin'
import type { FastifyPluginAsync, FastifyRequest, onSendHookHandler } from 'fastify'
import type { Dispatcher, Pool } from 'undici'
import {
  SIPUP_ERR_PLUGIN_CONFLICT, SIPUP_ERR_PLUGIN_LATE_CALL, SIPUP_ERR_ROUTE_GROUP_INVALID, SIPUP_ERR_UPSTREAM_NOT_READY
} from '../errors.js'
import { kRequestState } from '../symbols.js'
import type { CoreConfig } from '../config/core-schema.js'
import type { SidecarContainer } from './container.js'
import type { FleetLocks } from './fleet-lock.js'
import type { Fleet } from './fleet/types.js'
import { composeUpstream } from './origin-pool.js'
import { setResponseHeader } from './response-headers.js'
import { hstsValue } from './redirect-server.js'
import { tlsEnabled } from './tls/material.js'
import { resolveOrder, type Ordered, type OrderConstraints } from './ordering.js'
import type {
  FeatureReport, HealthCheck, HealthResult, MysqlHandle, NodeLink, ProcessRole, ProxyHookHandlers, ProxyHookPhase, RedisHandle,
  RequestField, RequestFieldOptions, RequestState, RouteGroup, RouteGroupHookHandlers, RouteGroupHookPhase, Sidecar
} from './types.js'

/** `request.sidecar`, made on first use; every field initialised here so the shape never changes. */
export class SidecarRequestState implements RequestState {
  readonly start: number
  route: string
  upstreamMs = -1
  upstreamError: string | null = null
  body: Buffer | null = null
  readonly fields: (string | null)[]
  responseHeaders: string[] | null = null

  /** `baseHeaders`: the headers every answer carries (HSTS), copied so a plugin's header never leaks into the next
   * request's. */
  constructor (route: string, fieldCount: number, baseHeaders: readonly string[] | null = null) {
    this.start = performance.now()
    this.route = route
    // A loop, not new Array(n).fill(null): fill is a runtime call, and this runs on every request (issue 18).
    const fields: (string | null)[] = []
    for (let i = 0; i < fieldCount; i++) fields.push(null)
    this.fields = fields
    if (baseHeaders !== null) this.responseHeaders = baseHeaders.slice()
  }

  setResponseHeader (name: string, value: string | number): void {
    setResponseHeader(this, name, value)
  }
}

class Field implements RequestField {
  readonly name: string
  readonly index: number
  readonly log: boolean

  constructor (name: string, index: number, log: boolean) {
    this.name = name
    this.index = index
    this.log = log
  }

  get (state: RequestState): string | null {
    return state.fields[this.index] ?? null
  }

  set (state: RequestState, value: string | null): void {
    state.fields[this.index] = value
  }
}

type Window = 'proxy route' | 'route groups' | 'admin' | 'ready'
type HookLists<H> = { [P in keyof H]: Ordered<H[P]>[] }

const PROXY_PHASES: readonly ProxyHookPhase[] = ['onRequest', 'preHandler', 'onResponse', 'onError']
const GROUP_PHASES: readonly RouteGroupHookPhase[] = [...PROXY_PHASES, 'preValidation']

function emptyLists<H> (phases: readonly (keyof H)[]): HookLists<H> {
  const out = {} as HookLists<H>
  for (const p of phases) out[p] = []
  return out
}

/** What the composition root mounts for each phase, already in order; phases nobody hooked are left out, so Fastify
 * skips its hook runner for them. */
export type HookSet<H> = { [P in keyof H]?: H[P][] }

function ordered<H> (what: string, lists: HookLists<H>): HookSet<H> {
  const out: HookSet<H> = {}
  for (const phase of Object.keys(lists) as (keyof H)[]) {
    const list = lists[phase]
    if (list.length > 0) out[phase] = resolveOrder(`${what} ${String(phase)} hooks`, list).map(h => h.value)
  }
  return out
}

export class SidecarApp implements Sidecar {
  readonly #c: SidecarContainer
  readonly #closed = new Set<Window>()
  readonly #proxyHooks = emptyLists<ProxyHookHandlers>(PROXY_PHASES)
  readonly #groupHooks = emptyLists<RouteGroupHookHandlers>(GROUP_PHASES)
  readonly #interceptors: Ordered<Dispatcher.DispatcherComposeInterceptor>[] = []
  readonly #adminRoutes: FastifyPluginAsync[] = []
  readonly #groups: RouteGroup[] = []
  readonly #fields: Field[] = []
  readonly #reproduced = new WeakSet<object>()
  #upstream: Dispatcher | null = null
  /** The headers every answer starts with (HSTS where the sidecar itself answers over TLS), or null. */
  readonly #baseHeaders: readonly string[] | null

  constructor (container: SidecarContainer) {
    this.#c = container
    // Behind nginx, nginx sends HSTS.
    const server = container.config.server
    const hsts = tlsEnabled(server.tls) ? hstsValue(server) : null
    this.#baseHeaders = hsts === null ? null : ['strict-transport-security', hsts]
  }

  get baseHeaders (): readonly string[] | null { return this.#baseHeaders }

  reproducedOnBypass<F extends (...args: never[]) => unknown> (hook: F): F {
    this.#reproduced.add(hook)
    return hook
  }

  isReproducedOnBypass (hook: unknown): boolean {
    return typeof hook === 'function' && this.#reproduced.has(hook)
  }

  /** A request's `request.sidecar`, for `route`. */
  newRequestState (route: string): RequestState {
    return new SidecarRequestState(route, this.#fields.length, this.#baseHeaders)
  }

  get container (): SidecarContainer { return this.#c }
  get role (): ProcessRole { return this.#c.role }
  get config (): CoreConfig { return this.#c.config }
  get log (): SidecarContainer['log'] { return this.#c.log }
  get redis (): RedisHandle { return this.#c.redis }
  get mysql (): MysqlHandle { return this.#c.mysql }
  get metrics (): SidecarContainer['metrics'] { return this.#c.metrics }
  metricsText (): ReturnType<SidecarContainer['metricsText']> { return this.#c.metricsText() }
  get locks (): FleetLocks { return this.#c.locks }
  get fleet (): Fleet { return this.#c.fleet }
  get node (): NodeLink | null { return this.#c.node }
  get origin (): Pool { return this.#c.origin }
  get adminSecret (): Buffer { return this.#c.adminSecret }
  get features (): readonly FeatureReport[] { return this.#c.features }
  reportFeature (report: FeatureReport): void { this.#c.reportFeature(report) }
  addHealthCheck (name: string, check: HealthCheck): void { this.#c.addHealthCheck(name, check) }
  runHealthChecks (): Promise<Record<string, HealthResult>> { return this.#c.runHealthChecks() }
  onClose (fn: () => void | Promise<void>): void { this.#c.onClose(fn) }

  #open (method: string, window: Window): void {
    if (this.#closed.has(window)) throw new SIPUP_ERR_PLUGIN_LATE_CALL(method, `the ${window === 'ready' ? 'sidecar was ready' : `${window} were mounted`}`)
  }

  addProxyHook<P extends ProxyHookPhase> (phase: P, hook: ProxyHookHandlers[P], order: OrderConstraints): void {
    this.#open('addProxyHook', 'proxy route')
    this.#proxyHooks[phase].push({ ...order, value: hook })
  }

  addRouteGroupHook<P extends RouteGroupHookPhase> (phase: P, hook: RouteGroupHookHandlers[P], order: OrderConstraints): void {
    this.#open('addRouteGroupHook', 'route groups')
    this.#groupHooks[phase].push({ ...order, value: hook })
  }

  addUpstreamInterceptor (interceptor: Dispatcher.DispatcherComposeInterceptor, order: OrderConstraints): void {
    this.#open('addUpstreamInterceptor', 'ready')
    this.#interceptors.push({ ...order, value: interceptor })
  }

  get upstream (): Dispatcher {
    if (this.#upstream === null) throw new SIPUP_ERR_UPSTREAM_NOT_READY()
    return this.#upstream
  }

  addAdminRoutes (plugin: FastifyPluginAsync): void {
    this.#open('addAdminRoutes', 'admin')
    this.#adminRoutes.push(plugin)
  }

  addRouteGroup (group: RouteGroup): void {
    this.#open('addRouteGroup', 'route groups')
    const admin = this.#c.config.admin.prefix
    if (!/^\/[A-Za-z0-9._~-][A-Za-z0-9._~/-]*$/.test(group.prefix) || group.prefix.endsWith('/')) {
      throw new SIPUP_ERR_ROUTE_GROUP_INVALID(group.name, `prefix: expected a path like /_jobs (no trailing slash), got '${group.prefix}'`)
    }
    const overlaps = (a: string, b: string): boolean => a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`)
    if (overlaps(group.prefix, admin)) {
      throw new SIPUP_ERR_ROUTE_GROUP_INVALID(group.name, `prefix '${group.prefix}' overlaps admin.prefix '${admin}'`)
    }
    for (const g of this.#groups) {
      if (g.name === group.name) throw new SIPUP_ERR_PLUGIN_CONFLICT('route group', group.name)
      if (overlaps(g.prefix, group.prefix)) {
        throw new SIPUP_ERR_ROUTE_GROUP_INVALID(group.name, `prefix '${group.prefix}' overlaps route group '${g.name}' (${g.prefix})`)
      }
    }
    this.#groups.push(group)
  }

  get routeGroups (): readonly RouteGroup[] {
    return this.#groups
  }

  defineRequestField (name: string, opts: RequestFieldOptions = {}): RequestField {
    this.#open('defineRequestField', 'ready')
    if (this.#fields.some(f => f.name === name)) throw new SIPUP_ERR_PLUGIN_CONFLICT('request field', name)
    const field = new Field(name, this.#fields.length, opts.log ?? true)
    this.#fields.push(field)
    return field
  }

  requestField (name: string): RequestField | null {
    return this.#fields.find(f => f.name === name) ?? null
  }

  get requestFields (): readonly RequestField[] {
    return this.#fields
  }

  /** For the proxy route (src/app.ts): closes the proxy-hook window. */
  takeProxyHooks (): HookSet<ProxyHookHandlers> {
    this.#closed.add('proxy route')
    return ordered('proxy route', this.#proxyHooks)
  }

  /** For mounting the route groups: closes their window. */
  takeRouteGroups (): { groups: readonly RouteGroup[], hooks: HookSet<RouteGroupHookHandlers> } {
    this.#closed.add('route groups')
    return { groups: this.#groups, hooks: ordered('route group', this.#groupHooks) }
  }

  /** For the admin scope: closes the admin window. */
  takeAdminRoutes (): readonly FastifyPluginAsync[] {
    this.#closed.add('admin')
    return this.#adminRoutes
  }

  /** At ready: closes every window left open and composes the upstream dispatcher. */
  seal (): void {
    for (const w of ['proxy route', 'route groups', 'admin', 'ready'] as const) this.#closed.add(w)
    const chain = resolveOrder('upstream interceptors', this.#interceptors).map(i => i.value)
    this.#upstream = composeUpstream(this.#c.origin, chain)
  }
}

export interface CorePluginOptions {
  sidecar: SidecarApp
}

const UPSTREAM_CHECK_TTL_MS = 1000
const UPSTREAM_CHECK_TIMEOUT_MS = 2000

/** Readiness = the origin answers below 500; asked straight through the pool (not through cache interceptors),
 * at most once a second however often probes come. */
function upstreamCheck (sidecar: SidecarApp, path: string): HealthCheck {
  let last: { at: number, result: Promise<HealthResult> } | null = null
  return () => {
    const now = Date.now()
    if (last !== null && now - last.at < UPSTREAM_CHECK_TTL_MS) return last.result
    const result = sidecar.origin.request({ method: 'GET', path, headers: { 'user-agent': 'sipup-sidecar-readiness' }, headersTimeout: UPSTREAM_CHECK_TIMEOUT_MS })
      .then(async ({ statusCode, body }) => {
        await body.dump()
        return statusCode < 500 ? { ok: true } : { ok: false, reason: `origin answered ${statusCode} on ${path}` }
      }, (err: Error & { code?: string }) => ({ ok: false, reason: `origin unreachable: ${err.code ?? err.message}` }))
    last = { at: now, result }
    return result
  }
}

/** Fastify's own symbol for a request's route context, found on the first request (null: not found). */
let kRouteContext: symbol | null | undefined

/** The route's config without `request.routeOptions`, which builds a fresh 13-field object on every read (about
 * 0.2-0.5 µs, on every proxied request). Falls back to it if a Fastify release renames its context symbol. */
function routeConfigOf (request: FastifyRequest): FastifyRequest['routeOptions']['config'] {
  if (kRouteContext === undefined) {
    kRouteContext = Object.getOwnPropertySymbols(request).find(s => s.description === 'fastify.context') ?? null
  }
  const context = kRouteContext === null
    ? undefined
    : (request as unknown as Record<symbol, { config?: FastifyRequest['routeOptions']['config'] } | undefined>)[kRouteContext]
  return context?.config ?? request.routeOptions.config
}

const corePlugin: FastifyPluginAsync<CorePluginOptions> = async (fastify, { sidecar }) => {
  fastify.decorate('sidecar', sidecar)
  // Created on first use rather than in an onRequest hook: with no plugin hooks on the proxy route Fastify then
  // skips its hook runner entirely, which is measurable on the pass-through path. The first use is the first
  // plugin hook or the proxy handler, microseconds after the request arrived.
  fastify.decorateRequest(kRequestState, null)
  // HSTS only where the sidecar itself answers over TLS (behind nginx, nginx sends it). It starts every request's
  // response-header list, so the raw writers (hits, pass-through, problems) carry it in their one writeHead list;
  // set on the raw response it would put each of them on Node's header-merging slow path.
  const baseHeaders = sidecar.baseHeaders
  const hsts = baseHeaders === null ? null : baseHeaders[1]
  fastify.decorateRequest('sidecar', {
    getter (this: FastifyRequest): RequestState {
      const self = this as FastifyRequest & { [kRequestState]: RequestState | null }
      return (self[kRequestState] ??= sidecar.newRequestState(routeConfigOf(this).sidecarRoute ?? 'admin'))
    }
  })
  // Answers sent through Fastify (admin, jobs, any plugin's route): the proxy scope's onSend carries the whole list.
  if (hsts !== null) {
    const sendHsts: onSendHookHandler = function sendHsts (_request, reply, payload, done) {
      if (!reply.hasHeader('strict-transport-security')) reply.header('strict-transport-security', hsts)
      done(null, payload)
    }
    fastify.addHook('onSend', sidecar.reproducedOnBypass(sendHsts))
  }

  await sidecar.container.start()
  if (sidecar.role === 'proxy') sidecar.addHealthCheck('upstream', upstreamCheck(sidecar, sidecar.config.upstream.healthPath))

  fastify.addHook('onReady', async () => { sidecar.seal() })
  fastify.addHook('onClose', async () => { await sidecar.container.close() })
}

export default fp(corePlugin, { name: 'sipup-core', fastify: '5.x' })
