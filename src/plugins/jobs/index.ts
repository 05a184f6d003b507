// The jobs plugin, in both process roles. Proxy role: the job endpoint as a route group under jobs.prefix (never
// cached or forwarded, its own metrics label), the admin API, the `jobs` health check, and the workers too when
// jobs.inline is set. Worker role (`sipup-sidecar worker`): the workers and schedules only, no listener. Cron ticks
// and chores are claimed through the core's fleet locks, so each runs once across every process on the Redis.
import fp from 'fastify-plugin'
import type { FastifyPluginAsync } from 'fastify'
import { requireRedis } from './check.js'
import { jobsAdminRoutes } from './admin-routes.js'
import { serviceFromConfig } from './engine-from-config.js'
import { jobsRoutes } from './routes.js'
import type { JobsSection } from './schema.js'
import type { JobsService } from './service.js'

export interface JobsPluginOptions {
  config: JobsSection
}

const FEATURE = 'jobs'

const jobsPlugin: FastifyPluginAsync<JobsPluginOptions> = async (fastify, { config }) => {
  const sidecar = fastify.sidecar
  const core = sidecar.config
  requireRedis(core, config)
  // Ticks and chores are claimed through the core's fleet locks on the shared Redis; with only `jobs.redis` (the
  // shared section off) the engine claims them on its own Redis, which every worker shares too.
  const locks = core.redis.enabled ? sidecar.locks : null
  const service = serviceFromConfig(core, config, sidecar.metrics, fastify.log,
    locks === null ? undefined : (key, ttlMs) => locks.claim(key, ttlMs))
  fastify.decorate('sidecarJobs', service)
  const connected = await service.connect()
  const types = [...service.params.types.keys()]
  const runsWorkers = sidecar.role === 'worker' || config.inline
  const summary = `${types.length} type(s)${types.length > 0 ? ` (${types.join(', ')})` : ''}, ${service.params.schedules.length} schedule(s)`

  if (sidecar.role === 'proxy') {
    sidecar.addRouteGroup({
      name: FEATURE,
      prefix: config.prefix,
      // Each request is checked in its handler: the secret depends on the job type (or the job) it names.
      authenticate: () => {},
      // The PHP app sends every job from its own address or two; a per-IP limit would throttle the shop itself.
      rateLimit: null,
      bodyLimit: config.maxPayload,
      routes: jobsRoutes(service)
    })
    sidecar.addAdminRoutes(jobsAdminRoutes(service))
  }
  sidecar.addHealthCheck(FEATURE, () => service.health())
  const where = sidecar.role === 'worker' ? 'workers in this process' : config.inline ? 'workers inline in this process' : 'run `sipup-sidecar worker` for the workers'
  sidecar.reportFeature({
    name: FEATURE,
    state: !connected || (config.secret === '' && [...service.params.types.values()].some(t => t.secret === '')) ? 'degraded' : 'on',
    detail: `${sidecar.role === 'proxy' ? `${config.prefix}: ` : ''}${summary}; ${where}` +
      (config.secret === '' ? '; jobs.secret is empty: types without their own secret refuse every enqueue' : '') +
      (connected ? '' : '; Redis unreachable: enqueues answer 503 until it is back')
  })

  if (runsWorkers) {
    fastify.addHook('onReady', async () => {
      const starting = service.startWorkers().then(pool => {
        fastify.log.info({ worker: pool.id, concurrency: config.concurrency }, `jobs: worker ${pool.id} claiming jobs (${summary})`)
      })
      // A worker process is ready once it claims jobs; inline workers must not hold up the proxy (Redis may be down).
      if (sidecar.role === 'worker') await starting
      else starting.catch((err: unknown) => { fastify.log.error({ err }, 'jobs: inline workers failed to start') })
    })
  }
  fastify.addHook('onClose', async () => { await service.close(config.shutdownTimeout) })
}

export default fp(jobsPlugin, { name: 'sipup-jobs', fastify: '5.x', dependencies: ['sipup-core'] })

// Declared by the plugin entry (the one module that decorates it), not by types.ts, which the engine's modules import.
declare module 'fastify' {
  interface FastifyInstance {
    /** The jobs engine when the jobs plugin runs (other plugins may enqueue through `producer.add`). */
    sidecarJobs: JobsService
  }
}
