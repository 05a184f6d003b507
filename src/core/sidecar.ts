// The core plugin: builds the `fastify.sidecar` decorator every capability plugin talks to, and the per-request
// `request.sidecar` state. It owns the upstream pool, the shared Redis connection and the metrics registry, and
// closes exactly those on shutdown.
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { Dispatcher, Pool } from 'undici'
import { Registry } from 'prom-client'
import type { FrozenConfig } from '../config/schema.js'
import { composeUpstream, createUpstreamPool } from '../proxy/upstream.js'
import { SharedRedis } from './redis.js'
import { kRequestState } from '../symbols.js'
import type { FeatureReport, HealthCheck, HealthResult, RequestState, Sidecar } from './types.js'

/** `request.sidecar`, made on first use; every field initialised here so the shape never changes. */
export class SidecarRequestState implements RequestState {
  readonly start: number
  route: string
  cache: string | null = null
  rateLimit: string | null = null
  upstreamMs = -1
  upstreamError: string | null = null
  body: Buffer | null = null

  constructor (route: string) {
    this.start = performance.now()
    this.route = route
  }
}

const HEALTH_CHECK_TIMEOUT_MS = 2000

class SidecarCore implements Sidecar {
  readonly config: FrozenConfig
  readonly redis: SharedRedis
  readonly metrics = new Registry()
  readonly pool: Pool
  readonly #features: FeatureReport[] = []
  readonly #checks = new Map<string, HealthCheck>()
  readonly #interceptors: Dispatcher.DispatcherComposeInterceptor[] = []
  readonly #adminRoutes: FastifyPluginAsync[] = []
  #upstream: Dispatcher | null = null
  #sealed = false

  constructor (config: FrozenConfig, fastify: FastifyInstance) {
    this.config = config
    this.redis = new SharedRedis(config.redis, fastify.log)
    this.pool = createUpstreamPool(config.upstream)
  }

  reportFeature (report: FeatureReport): void {
    const i = this.#features.findIndex(f => f.name === report.name)
    if (i === -1) this.#features.push(report)
    else this.#features[i] = report
  }

  get features (): readonly FeatureReport[] {
    return this.#features
  }

  addHealthCheck (name: string, check: HealthCheck): void {
    this.#checks.set(name, check)
  }

  async runHealthChecks (): Promise<Record<string, HealthResult>> {
    const out: Record<string, HealthResult> = {}
    await Promise.all([...this.#checks].map(async ([name, check]) => {
      out[name] = await runCheck(check)
    }))
    return out
  }

  addUpstreamInterceptor (interceptor: Dispatcher.DispatcherComposeInterceptor): void {
    if (this.#sealed) throw new TypeError('addUpstreamInterceptor must be called during plugin registration, before ready')
    this.#interceptors.push(interceptor)
  }

  get upstream (): Dispatcher {
    return this.#upstream ?? this.pool
  }

  addAdminRoutes (plugin: FastifyPluginAsync): void {
    if (this.#sealed) throw new TypeError('addAdminRoutes must be called during plugin registration, before ready')
    this.#adminRoutes.push(plugin)
  }

  get adminRoutes (): readonly FastifyPluginAsync[] {
    return this.#adminRoutes
  }

  seal (): void {
    this.#sealed = true
    this.#upstream = composeUpstream(this.pool, this.#interceptors)
  }
}

async function runCheck (check: HealthCheck): Promise<HealthResult> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      Promise.resolve().then(check),
      new Promise<HealthResult>(resolve => {
        timer = setTimeout(resolve, HEALTH_CHECK_TIMEOUT_MS, { ok: false, reason: `no answer within ${HEALTH_CHECK_TIMEOUT_MS} ms` })
      })
    ])
  } catch (err) {
    return { ok: false, reason: (err as Error).message }
  } finally {
    clearTimeout(timer)
  }
}

const UPSTREAM_CHECK_TTL_MS = 1000

/** Readiness = the origin answers below 500; asked straight through the pool (not through cache interceptors),
 * at most once a second however often probes come. */
function upstreamCheck (pool: Pool, path: string): HealthCheck {
  let last: { at: number, result: Promise<HealthResult> } | null = null
  return () => {
    const now = Date.now()
    if (last !== null && now - last.at < UPSTREAM_CHECK_TTL_MS) return last.result
    const result = pool.request({ method: 'GET', path, headers: { 'user-agent': 'sipup-sidecar-readiness' }, headersTimeout: HEALTH_CHECK_TIMEOUT_MS })
      .then(async ({ statusCode, body }) => {
        await body.dump()
        return statusCode < 500 ? { ok: true } : { ok: false, reason: `origin answered ${statusCode} on ${path}` }
      }, (err: Error & { code?: string }) => ({ ok: false, reason: `origin unreachable: ${err.code ?? err.message}` }))
    last = { at: now, result }
    return result
  }
}

export interface CorePluginOptions {
  config: FrozenConfig
}

const corePlugin: FastifyPluginAsync<CorePluginOptions> = async (fastify, { config }) => {
  const core = new SidecarCore(config, fastify)
  fastify.decorate('sidecar', core)
  // Created on first use rather than in an onRequest hook: with no plugin hooks on the proxy route Fastify then
  // skips its hook runner entirely, which is measurable on the pass-through path. The first use is the first
  // plugin hook or the proxy handler, microseconds after the request arrived.
  fastify.decorateRequest(kRequestState, null)
  fastify.decorateRequest('sidecar', {
    getter (this: FastifyRequest): RequestState {
      const self = this as FastifyRequest & { [kRequestState]: RequestState | null }
      return (self[kRequestState] ??= new SidecarRequestState(this.routeOptions.config.sidecarProxy === true ? 'proxy' : 'admin'))
    }
  })

  await core.redis.connect()
  core.reportFeature(core.redis.client === null
    ? { name: 'redis', state: 'off', detail: 'redis.enabled is false: caches and limits are per instance' }
    : core.redis.isReady()
      ? { name: 'redis', state: 'on', detail: 'shared caches, limits and purges across instances' }
      : { name: 'redis', state: 'degraded', detail: `${core.redis.reason ?? 'unreachable'}: caches and limits are per instance until it answers` })
  if (core.redis.client !== null) {
    fastify.sidecar.addHealthCheck('redis', () => core.redis.isReady()
      ? { ok: true }
      : { ok: false, reason: core.redis.reason ?? 'not connected' })
  }

  fastify.sidecar.addHealthCheck('upstream', upstreamCheck(core.pool, config.upstream.healthPath))

  fastify.addHook('onReady', async () => { core.seal() })
  fastify.addHook('onClose', async () => {
    await Promise.all([core.pool.close().catch(() => undefined), core.redis.close()])
  })
}

export default fp(corePlugin, { name: 'sipup-core', fastify: '5.x' })
