// The response cache plugin: wires the store, the proxy route's hooks, the upstream interceptor, the purge API,
// health and feature reports. The logic lives in the sibling modules.
import fp from 'fastify-plugin'
import type { FastifyPluginAsync } from 'fastify'
import { cacheInterceptor } from './cache-handler.js'
import { onRequestHook } from './hooks.js'
import { invalidateInterceptor } from './invalidate-interceptor.js'
import { InvalidationRules, type PurgePlan } from './invalidation-rules.js'
import { purgeRoutes } from './purge.js'
import { compilePurgeRegex } from './purge-regex.js'
import { CacheRuntime } from './runtime.js'
import { createStore } from './store-factory.js'
import { TieredStore } from './tiered-store.js'
import type { CachePluginOptions, SidecarCache } from './types.js'

const PRUNE_INTERVAL_MS = 60_000
/** One instance of the fleet prunes the shared index per interval; the claim lapses a little before the next. */
const PRUNE_CLAIM_MS = PRUNE_INTERVAL_MS - 5_000

const cachePlugin: FastifyPluginAsync<CachePluginOptions> = async (fastify, { config }) => {
  const sidecar = fastify.sidecar
  const log = fastify.log
  let outage: string | null = null
  let baseDetail = ''
  // One log line per Redis outage, not one per failed command.
  const onError = (err: Error): void => {
    if (outage !== null) return
    outage = `Redis unreachable (${(err as Error & { code?: string }).code ?? err.message}): cache serves from memory only`
    log.warn({ err: { message: err.message } }, 'cache: Redis failed; serving from the in-process store until it is back')
    sidecar.reportFeature({ name: 'cache', state: 'degraded', detail: `${baseDetail}; ${outage}` })
  }
  const onSuccess = (): void => {
    if (outage === null) return
    outage = null
    log.info('cache: Redis is back')
    sidecar.reportFeature({ name: 'cache', state: 'on', detail: baseDetail })
  }
  const choice = createStore({
    kind: config.store,
    maxBytes: config.maxBytes,
    maxObjectSize: config.maxObjectSize,
    redis: sidecar.redis,
    onError,
    onSuccess
  })
  const rt = new CacheRuntime({
    config,
    core: sidecar.config,
    store: choice.store,
    registry: sidecar.metrics,
    log,
    upstream: () => sidecar.upstream,
    outcome: sidecar.defineRequestField('cache')
  })
  if (choice.store instanceof TieredStore) choice.store.on('remote-purge', () => { rt.coalescer?.forgetRecent() })
  const invalidation = new InvalidationRules(config.invalidate)
  baseDetail = `${choice.detail}; ${rt.rules.length} rule(s)${invalidation.size > 0 ? `; ${invalidation.size} invalidation rule(s)` : ''}`

  const api: SidecarCache = {
    store: choice.store,
    async purge (what) {
      let n = await rt.purgeUrls(what.urls ?? [], 'api')
      if (what.prefix !== undefined && what.prefix !== '') n += await rt.purge({ kind: 'prefix', prefix: what.prefix }, 'api')
      if (what.tags !== undefined && what.tags.length > 0) n += await rt.purge({ kind: 'tags', tags: what.tags }, 'api')
      if (what.regex !== undefined && what.regex !== '') n += await rt.purge({ kind: 'regex', source: compilePurgeRegex(what.regex).source }, 'api')
      return n
    }
  }
  fastify.decorate('sidecarCache', api)

  // Outside the metrics plugin's interceptor, so that one sees the origin's own responses, not stored ones.
  sidecar.addUpstreamInterceptor(cacheInterceptor(rt), { name: 'cache', before: ['metrics'] })
  if (invalidation.size > 0) {
    const run = async (plan: PurgePlan): Promise<void> => {
      await Promise.all([
        rt.purgeUrls(plan.urls, 'rule'),
        ...plan.prefixes.map(prefix => rt.purge({ kind: 'prefix', prefix }, 'rule')),
        plan.tags.length > 0 ? rt.purge({ kind: 'tags', tags: plan.tags }, 'rule') : 0
      ])
    }
    // Outside the cache's own interceptor: its RFC 9111 purge of the request URL has started when this one holds.
    sidecar.addUpstreamInterceptor(invalidateInterceptor(invalidation, run), { name: 'cache-invalidate', before: ['cache'] })
  }
  sidecar.addProxyHook('onRequest', onRequestHook(rt), { name: 'cache', after: ['rateLimit'] })
  sidecar.addAdminRoutes(purgeRoutes(rt))
  sidecar.addHealthCheck('cache', () => outage === null ? { ok: true } : { ok: false, reason: outage })
  const redisDown = choice.prune !== null && !sidecar.redis.isReady()
  if (redisDown) outage = `Redis unreachable (${sidecar.redis.reason ?? 'not connected'}): cache serves from memory only`
  sidecar.reportFeature({ name: 'cache', state: redisDown ? 'degraded' : 'on', detail: redisDown ? `${baseDetail}; ${outage}` : baseDetail })
  // The Redis index outlives entries Redis expired; prune it now and then, on one instance of the fleet.
  const prune = choice.prune
  const timer = prune === null ? null : setInterval(() => {
    sidecar.locks.claim('cache:prune', PRUNE_CLAIM_MS)
      .then(mine => mine ? prune() : undefined)
      .catch(() => undefined)
  }, PRUNE_INTERVAL_MS)
  timer?.unref()
  fastify.addHook('onClose', async () => {
    if (timer !== null) clearInterval(timer)
    rt.close()
    await choice.store.close()
  })
}

export default fp(cachePlugin, { name: 'sipup-cache', fastify: '5.x', dependencies: ['sipup-core'] })
