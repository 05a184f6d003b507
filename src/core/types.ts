// The core's public contract with capability plugins: the `fastify.sidecar` decorator and the per-request
// `request.sidecar` state. Plugins talk to the core (and so to each other) only through these.
import type { Dispatcher } from 'undici'
import type { FastifyPluginAsync } from 'fastify'
import type { Redis } from 'ioredis'
import type { Registry } from 'prom-client'
import type { FrozenConfig } from '../config/schema.js'

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

export interface RedisHandle {
  /** Shared command connection; null when Redis is disabled in config. Commands fail fast while it is down
   * (no offline queue): callers must treat a rejected command as an outage and degrade, never hang. */
  readonly client: Redis | null
  /** True while the connection is up. */
  isReady(): boolean
  /** Why Redis is not usable (disabled, or the last connection error), or null when it is. */
  readonly reason: string | null
  /** A new dedicated connection (for SUBSCRIBE or blocking commands), closed by the core on shutdown. */
  duplicate(): Redis | null
  /** `redis.keyPrefix` + parts joined by ':'. */
  key(...parts: string[]): string
}

export interface Sidecar {
  readonly config: FrozenConfig
  readonly redis: RedisHandle
  /** The one prom-client registry. Every plugin defines its own metrics on it at registration (prefix `sipup_`),
   * whether or not the metrics plugin is on; the metrics plugin serves it and adds HTTP/process metrics. */
  readonly metrics: Registry
  /** Report a feature's state; the start-up summary and /_admin/ready list every report. */
  reportFeature(report: FeatureReport): void
  readonly features: readonly FeatureReport[]
  /** Add a readiness check, run by /_admin/ready and the dashboard. */
  addHealthCheck(name: string, check: HealthCheck): void
  runHealthChecks(): Promise<Record<string, HealthResult>>
  /** Wrap the upstream dispatcher (undici interceptor). Call during registration; composed once, in order, at ready. */
  addUpstreamInterceptor(interceptor: Dispatcher.DispatcherComposeInterceptor): void
  /** The composed upstream dispatcher (available from onReady on). */
  readonly upstream: Dispatcher
  /** Register routes under the admin prefix, behind admin auth (e.g. `POST /api/cache/purge`). Call during registration. */
  addAdminRoutes(plugin: FastifyPluginAsync): void
  readonly adminRoutes: readonly FastifyPluginAsync[]
}

/** Per-request state (`request.sidecar`), created by the core in onRequest with every field set (stable shape). */
export interface RequestState {
  /** performance.now() when the request arrived. */
  readonly start: number
  /** Bounded label for logs and metrics: a rule or route name, never the raw path. */
  route: string
  /** Cache outcome for the access log and metrics (HIT, MISS, STALE, BYPASS, REVALIDATED...), set by the cache plugin. */
  cache: string | null
  /** Rate-limit outcome (allowed, limited, dry-run, banned...), set by the rate-limit plugin. */
  rateLimit: string | null
  /** Time to the origin's response headers, ms; -1 when the request never reached the origin. */
  upstreamMs: number
  /** Error code when forwarding failed (e.g. UND_ERR_CONNECT_TIMEOUT). */
  upstreamError: string | null
  /** A request body already read by a plugin (e.g. the login limiter); the core forwards it instead of the stream. */
  body: Buffer | null
}

declare module 'fastify' {
  interface FastifyInstance {
    sidecar: Sidecar
  }
  interface FastifyRequest {
    sidecar: RequestState
  }
  interface FastifyContextConfig {
    /** True on the catch-all proxy route; plugins attach their proxy-path hooks in onRoute when it is set. */
    sidecarProxy?: boolean
  }
}
