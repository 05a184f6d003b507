// The core's public contract. Two layers:
// - `Container`: the services every process role shares (config, logger, Redis, MySQL, metrics, fleet locks,
//   health and feature reports, one close lifecycle). Framework-free: a CLI command builds one without Fastify.
// - `Sidecar` (`fastify.sidecar`): the container plus the registration windows of the HTTP app (proxy hooks,
//   upstream interceptors, admin routes, route groups, request fields). Each window closes at a fixed point of
//   start-up and a late call throws SIPUP_ERR_PLUGIN_LATE_CALL instead of silently doing nothing.
// Plugins talk to the core, and so to each other, only through these and through Fastify hooks.
import type { Dispatcher, Pool } from 'undici'
import type {
  FastifyBaseLogger, FastifyPluginAsync, FastifyRequest, onErrorHookHandler, onRequestHookHandler,
  onResponseHookHandler, preHandlerHookHandler, preValidationHookHandler
} from 'fastify'
import type { RedisClient } from './redis-client.js'
import type { Pool as MysqlPool } from 'mysql2/promise'
import type { Registry } from 'prom-client'
import type { CoreConfig } from '../config/core-schema.js'
import type { FleetLocks } from './fleet-lock.js'
import type { Fleet } from './fleet/types.js'
import type { OrderConstraints } from './ordering.js'

/** What a process is for. `proxy` listens and forwards; `worker` runs background work (jobs) without a listener;
 * `cli` is a command that needs the services (Redis, MySQL) but serves nothing. */
export type ProcessRole = 'proxy' | 'worker' | 'cli'

/** State of one feature, reported at start-up ("which features are off and why") and on /_admin/ready. */
export type FeatureState = 'on' | 'degraded' | 'off'

export interface FeatureReport {
  name: string
  state: FeatureState
  /** Plain words for operators: why it is off or degraded, or how it runs. */
  detail: string
}

export interface HealthResult {
  ok: boolean
  /** Why it is not ok (shown on /_admin/ready and in the dashboard); short, no secrets. */
  reason?: string
}

export type HealthCheck = () => HealthResult | Promise<HealthResult>

export type { RedisClient } from './redis-client.js'

export interface RedisHandle {
  /** Shared command connection; null when Redis is disabled in config. Commands fail fast while it is down
   * (no offline queue): callers must treat a rejected command as an outage and degrade, never hang. */
  readonly client: RedisClient | null
  /** True while the connection is up. */
  isReady(): boolean
  /** Why Redis is not usable (disabled, or the last connection error), or null when it is. */
  readonly reason: string | null
  /** A new dedicated connection (for SUBSCRIBE or blocking commands), closed by the core on shutdown. */
  duplicate(): RedisClient | null
  /** The prefix every key starts with: `redis.keyPrefix`, wrapped in `{...}` under Cluster when it has no hash tag,
   * so all of this sidecar's keys share one hash slot (see redis-topology.ts). */
  readonly keyPrefix: string
  /** `keyPrefix` + parts joined by ':'. */
  key(...parts: string[]): string
}

export interface MysqlHandle {
  /** False when `mysql.url` is empty: no DB feature can run. */
  readonly enabled: boolean
  /** The sidecar's own small pool (created on first use); null when disabled. Never the shop's connections. */
  readonly pool: MysqlPool | null
  /** Why MySQL is not usable, or null once a round trip succeeded. */
  readonly reason: string | null
  isReady(): boolean
  /** One round trip within `mysql.connectTimeout`; never throws. */
  check(): Promise<HealthResult>
}

/** A worker's channel to the primary of `server.workers` (src/core/cluster-link.ts), by topic. */
export interface NodeLink {
  /** To the primary, no answer. */
  tell(topic: string, payload: unknown): void
  /** To the primary, answered (rejects after `timeoutMs`). */
  ask(topic: string, payload: unknown, timeoutMs: number): Promise<unknown>
  /** What this worker answers when the primary polls every worker on `topic`. */
  answer(topic: string, fn: () => unknown): void
}

export interface Container {
  readonly role: ProcessRole
  /** The frozen config. The core reads its own sections; each plugin receives its section as `opts.config`. */
  readonly config: CoreConfig
  readonly log: FastifyBaseLogger
  readonly redis: RedisHandle
  readonly mysql: MysqlHandle
  /** The one prom-client registry. Every plugin defines its metrics on it at registration (prefix `sipup_`). */
  readonly metrics: Registry
  /** What a scrape serves: `metrics` rendered, or the whole node's aggregate when this is one of `server.workers`. */
  metricsText(): Promise<{ contentType: string, body: string }>
  /** Heartbeats of every sidecar instance on the same Redis, and the fleet view read from them. */
  readonly fleet: Fleet
  /** The channel to the other workers' primary when this is one of `server.workers` (a proxy process); null in a
   * single process, so a capability can keep its one-process path free of IPC. */
  readonly node: NodeLink | null
  /** Leases, leaders and one-shot claims across every instance on the same Redis (per process without Redis). */
  readonly locks: FleetLocks
  /** The keep-alive pool to the origin, created on first use (a worker that never calls the origin opens none). */
  readonly origin: Pool
  /** The secret admin CSRF tokens are signed with: `admin.secret`, else kept in Redis, else per process. */
  readonly adminSecret: Buffer
  /** Report a feature's state; the start-up summary and /_admin/ready list every report. */
  reportFeature(report: FeatureReport): void
  readonly features: readonly FeatureReport[]
  /** Add a readiness check, run by /_admin/ready and the dashboard. */
  addHealthCheck(name: string, check: HealthCheck): void
  runHealthChecks(): Promise<Record<string, HealthResult>>
  /** Run on close, last registered first, before the core's own connections close. */
  onClose(fn: () => void | Promise<void>): void
}

/** The proxy route's hook phases a plugin may use, with Fastify's handler type for each. */
export interface ProxyHookHandlers {
  onRequest: onRequestHookHandler
  preHandler: preHandlerHookHandler
  onResponse: onResponseHookHandler
  onError: onErrorHookHandler
}
export type ProxyHookPhase = keyof ProxyHookHandlers

/** Route-group hooks also have preValidation (the phase the group's own authentication runs in). */
export interface RouteGroupHookHandlers extends ProxyHookHandlers {
  preValidation: preValidationHookHandler
}
export type RouteGroupHookPhase = keyof RouteGroupHookHandlers

/** A set of routes outside the proxy route and the admin, e.g. the job endpoint `/_jobs`: never cached, never
 * forwarded, with its own credential, metrics label and rate limit. */
export interface RouteGroup {
  /** Route label in logs and metrics (`jobs`), and the name other plugins know the group by. */
  readonly name: string
  /** URL prefix, e.g. `/_jobs`; must not overlap the admin prefix or another group. */
  readonly prefix: string
  /** Runs in preValidation (the body is parsed, so signatures over it can be checked) before every route of the
   * group. Throw a coded 401/403 error to refuse; it is answered as problem details. */
  authenticate(request: FastifyRequest): void | Promise<void>
  /** Requests one client IP may send to the group per window; null = no limit of its own. Enforced by the
   * rate-limit plugin when it is on. */
  readonly rateLimit: { readonly limit: number, readonly windowMs: number } | null
  /** Body size limit in bytes for the group's routes (Fastify's bodyLimit); 413 beyond. */
  readonly bodyLimit: number
  /** The routes, registered inside the group's scope (prefix, auth, error handler applied). */
  readonly routes: FastifyPluginAsync
}

/** A named per-request value a plugin owns (the cache outcome, the rate-limit outcome), logged on the access log
 * and readable by other plugins (metrics labels) without either importing the other. */
export interface RequestField {
  readonly name: string
  /** Slot in `RequestState.fields`. */
  readonly index: number
  /** Written on the access log line. */
  readonly log: boolean
  get(state: RequestState): string | null
  set(state: RequestState, value: string | null): void
}

export interface RequestFieldOptions {
  /** Written on the access log line under the field's name. @default true */
  log?: boolean
}

export interface Sidecar extends Container {
  /** Add a hook to the proxy route, ordered by `order` against other plugins' hooks of the same phase (ties keep
   * registration order). Window: until the proxy route is defined. */
  addProxyHook<P extends ProxyHookPhase>(phase: P, hook: ProxyHookHandlers[P], order: OrderConstraints): void
  /** Add a hook to every route group's routes. Window: until the groups are mounted. */
  addRouteGroupHook<P extends RouteGroupHookPhase>(phase: P, hook: RouteGroupHookHandlers[P], order: OrderConstraints): void
  /** Marks an app-scope Fastify hook of the core's own (HSTS, the access log) that the proxy bypass
   * (src/proxy/bypass.ts) reproduces itself; any other app-scope request hook keeps proxied requests on Fastify's
   * route. Returns the hook, for `fastify.addHook(phase, sidecar.reproducedOnBypass(fn))`. */
  reproducedOnBypass<F extends (...args: never[]) => unknown>(hook: F): F
  /** Whether reproducedOnBypass() marked this hook. */
  isReproducedOnBypass (hook: unknown): boolean
  /** Wrap the upstream dispatcher (undici interceptor). The order is the order interceptors see a request: an
   * interceptor declared `before` another is the outer one. Window: until ready. */
  addUpstreamInterceptor(interceptor: Dispatcher.DispatcherComposeInterceptor, order: OrderConstraints): void
  /** The composed upstream dispatcher; throws SIPUP_ERR_UPSTREAM_NOT_READY before ready. */
  readonly upstream: Dispatcher
  /** Register routes under the admin prefix, behind admin auth. Window: until the admin is mounted. */
  addAdminRoutes(plugin: FastifyPluginAsync): void
  /** Register a route group. Window: until the groups are mounted. */
  addRouteGroup(group: RouteGroup): void
  /** The route groups, once mounted (read them in onReady). */
  readonly routeGroups: readonly RouteGroup[]
  /** Define a per-request field. Window: until ready. */
  defineRequestField(name: string, opts?: RequestFieldOptions): RequestField
  /** A field another plugin defined, or null when that plugin is off. Ask in onReady. */
  requestField(name: string): RequestField | null
  readonly requestFields: readonly RequestField[]
}

/** The error an upstream handler receives (onResponseError) when origin protection sheds its request instead of
 * sending it (`upstream.maxConcurrent`): the origin never saw it. An interceptor holding a usable copy (the cache)
 * may answer with it instead; otherwise the proxy answers 503 with the busy page. Branch on `code`. */
export interface UpstreamShed extends Error {
  readonly code: 'SIPUP_ERR_UPSTREAM_OVERLOADED'
  /** Why: the queue was full, or the request waited longer than `upstream.queue.timeout`. */
  readonly reason: 'queue-full' | 'queue-timeout'
  /** Seconds the client is asked to wait (Retry-After). */
  readonly retryAfterS: number
}

/** Per-request state (`request.sidecar`), made on first use with every field set (stable shape). */
export interface RequestState {
  /** performance.now() when the request arrived. */
  readonly start: number
  /** Bounded label for logs and metrics: `proxy`, `admin`, a route group's name, or a cache/limit rule's name. */
  route: string
  /** Time to the origin's response headers, ms; -1 when the request never reached the origin. */
  upstreamMs: number
  /** Error code when forwarding failed (e.g. UND_ERR_CONNECT_TIMEOUT). */
  upstreamError: string | null
  /** A request body already read by a plugin (e.g. the login limiter); the core forwards it instead of the stream. */
  body: Buffer | null
  /** The plugins' fields, by `RequestField.index`. */
  readonly fields: (string | null)[]
  /** Response headers added with setResponseHeader, flat `[name, value, ...]`; null while there are none. Read by
   * the response writers (src/core/response-headers.ts). */
  readonly responseHeaders: string[] | null
  /**
   * Adds a header to this request's response, however it is answered: proxied, from the cache, a rejection or an
   * error page, over HTTP/1.1 or HTTP/2. `name` is lower-case; a second call for the same name replaces the value.
   * A header the response has itself (the origin's, a stored one, the answer's own) wins over it.
   * Use this rather than `reply.raw.setHeader()`: a header set on the raw response sends the writer's
   * `writeHead(status, headers)` down Node's slow path, one setHeader per header of the response.
   */
  setResponseHeader(name: string, value: string | number): void
}

declare module 'fastify' {
  interface FastifyInstance {
    sidecar: Sidecar
  }
  interface FastifyRequest {
    sidecar: RequestState
  }
  interface FastifyContextConfig {
    /** True on the catch-all proxy route. */
    sidecarProxy?: boolean
    /** The route label of routes the core mounts (`proxy`, a route group's name); admin routes have none. */
    sidecarRoute?: string
  }
}
