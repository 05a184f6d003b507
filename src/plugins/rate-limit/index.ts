// The rate-limit plugin: wires the resolved params, the stores, the limiter, metrics, health and the onRequest
// hooks on the proxy route and on the route groups that declare a limit (admin routes are never limited). Why not
// @fastify/rate-limit's hook and store interface: see README "Rate limiting" (one atomic call for several tiers,
// GCRA, shared bans).
import fp from 'fastify-plugin'
import type { FastifyPluginAsync, onRequestHookHandler } from 'fastify'
import { banRoutes } from './admin-routes.js'
import { BanAdmin } from './ban-admin.js'
import { createGroupLimitHook, createRateLimitHook, type HookContext } from './hook.js'
import { Limiter } from './limiter.js'
import { MemoryStore } from './memory-store.js'
import { RateLimitMetrics } from './metrics.js'
import { resolveParams } from './options.js'
import { RedisStore } from './redis-store.js'
import type { RateLimitSection } from './schema.js'
import type { Tier } from './types.js'
import { formatDuration } from '../../config/units.js'
import { makeTier } from './tiers.js'
import { compileAddressList } from '../../config/address-list.js'

export interface RateLimitPluginOptions {
  config: RateLimitSection
  /** Clock in ms (tests, embedding). @default Date.now */
  now?: () => number
}

const FEATURE = 'rateLimit'

function describe (params: ReturnType<typeof resolveParams>): string {
  const rate = (t: Tier): string => `${t.limit}/${formatDuration(t.windowMs)}${t.dryRun ? ' (dry run)' : ''}`
  const parts: string[] = []
  if (params.ipTier !== null) parts.push(`${rate(params.ipTier)} per IP`)
  if (params.userTier !== null) parts.push(`${rate(params.userTier)} per user`)
  if (params.rules.length > 0) parts.push(`rules ${params.rules.map(r => `${r.tier.name} ${rate(r.tier)}`).join(', ')}`)
  if (params.ban !== null) parts.push(`bans after ${params.ban.strikes} x 429 in ${formatDuration(params.ban.withinMs)}`)
  return parts.join('; ')
}

const rateLimitPlugin: FastifyPluginAsync<RateLimitPluginOptions> = async (fastify, opts) => {
  const cfg = opts.config
  const sidecar = fastify.sidecar
  const params = resolveParams(cfg, sidecar.config.origin)
  const redis = sidecar.redis
  const client = cfg.store === 'redis' ? redis.client : null
  const metrics = new RateLimitMetrics(sidecar.metrics, params.tierNames)
  const local = new MemoryStore({ maxKeys: params.memoryKeys, ban: params.ban })
  // The core sets the client's command timeout from redis.commandTimeout; 0 there would mean no bound at all.
  const shared = client === null
    ? null
    : new RedisStore({ client, prefix: `${redis.keyPrefix}rl:`, ban: params.ban, ownTimeout: sidecar.config.redis.commandTimeout === 0 })
  const summary = describe(params)
  const log = fastify.log

  const limiter = new Limiter({
    shared,
    sharedReady: () => redis.isReady(),
    local,
    failClosed: params.failClosed,
    bans: params.ban !== null,
    maxKeys: params.memoryKeys,
    // One line per outage, not per request: the limiter calls these on state changes only.
    onOutage: err => {
      metrics.storeErrors.inc()
      metrics.degraded(true)
      const mode = params.failClosed ? 'answering 503 (rateLimit.failClosed)' : 'limiting per instance in memory'
      log.error({ err: { message: err.message, code: (err as Error & { code?: string }).code } }, `rate-limit: Redis unavailable; ${mode} until it is back`)
      sidecar.reportFeature({ name: FEATURE, state: 'degraded', detail: `Redis unavailable: ${mode}` })
    },
    onRecover: () => {
      metrics.degraded(false)
      log.info('rate-limit: Redis is back; limits are shared again')
      sidecar.reportFeature({ name: FEATURE, state: 'on', detail: `shared through Redis: ${summary}` })
    }
  })

  // Reconnected: the next request tries Redis at once instead of waiting for the probe interval.
  client?.on('ready', () => { limiter.sharedUp() })

  if (cfg.store === 'memory') {
    sidecar.reportFeature({ name: FEATURE, state: 'on', detail: `per instance (memory store): ${summary}` })
  } else if (client === null) {
    metrics.degraded(true)
    sidecar.reportFeature({ name: FEATURE, state: 'degraded', detail: `${redis.reason ?? 'Redis disabled'}: limits are per instance (memory): ${summary}` })
  } else if (!redis.isReady()) {
    sidecar.reportFeature({ name: FEATURE, state: 'degraded', detail: `Redis not connected (${redis.reason ?? 'unknown'}): limits are per instance until it answers: ${summary}` })
  } else {
    sidecar.reportFeature({ name: FEATURE, state: 'on', detail: `shared through Redis: ${summary}` })
  }

  sidecar.addHealthCheck(FEATURE, () => {
    if (!limiter.degraded) return { ok: true }
    return params.failClosed
      ? { ok: false, reason: 'Redis unavailable: rate limiting fails closed (503)' }
      : { ok: true, reason: 'degraded: Redis unavailable, limits are per instance' }
  })

  const ctx: HookContext = {
    params,
    limiter,
    metrics,
    keyPrefix: `${redis.keyPrefix}rl:`,
    now: opts.now ?? Date.now,
    outcome: sidecar.defineRequestField('rateLimit'),
    trust: compileAddressList(sidecar.config.server.trustProxy)
  }
  // Limits run before the cache serves a hit, so a hit costs the client its quota like any other request.
  sidecar.addProxyHook('onRequest', createRateLimitHook(ctx) as onRequestHookHandler, { name: FEATURE, before: ['cache'] })

  // Bans listed and lifted by operators (admin API, dashboard panel). Registered with bans off too: a ban stored
  // in Redis before they were turned off still shows, and the panel says they are off.
  const bans = new BanAdmin({ shared, local, forget: c => { limiter.forgetBan(c) }, ipv6Subnet: params.ipv6Subnet, now: opts.now })
  sidecar.addAdminRoutes(banRoutes(bans, { store: shared === null ? 'memory' : 'redis', enabled: params.ban !== null, exempt: cfg.bans.exempt }))

  // Route groups that declare a limit (the job endpoint) get their own tier per group, keyed per client IP.
  const groupTiers = new Map<string, Tier>()
  sidecar.addRouteGroupHook('onRequest', createGroupLimitHook(ctx, groupTiers) as onRequestHookHandler, { name: FEATURE })
  fastify.addHook('onReady', async () => {
    for (const g of sidecar.routeGroups) {
      if (g.rateLimit !== null) groupTiers.set(g.name, makeTier(`group:${g.name}`, g.rateLimit.limit, g.rateLimit.windowMs, false))
    }
    metrics.addTiers([...groupTiers.values()].map(t => t.name))
  })
}

export default fp(rateLimitPlugin, { name: 'sipup-rate-limit', fastify: '5.x', dependencies: ['sipup-core'] })
