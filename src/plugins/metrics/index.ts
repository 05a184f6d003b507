// The metrics plugin: RED metrics of proxied requests and Node process metrics on the shared registry, served at
// <admin.prefix>/metrics (and on metrics.port when set), plus the live per-second history and per-route table the
// dashboard reads through `fastify.sidecarMetrics`.
import fp from 'fastify-plugin'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { Server } from 'node:http'
import { collectDefaultMetrics } from 'prom-client'
import { HttpMetrics } from './http-metrics.js'
import { LabelIndex } from './labels.js'
import { startMetricsServer } from './metrics-server.js'
import { originCacheabilityInterceptor } from './origin-cacheability.js'
import { sampleQueueDepth } from './queue-depth.js'
import { RouteStats } from './route-stats.js'
import { ClusterNodeLive, localNodeLive } from './node-live.js'
import { TimeSeries } from './time-series.js'
import type { LiveMetrics, MetricsPluginOptions } from './types.js'
import type { RequestField } from '../../core/types.js'

const MIN_HISTORY_S = 60
const MAX_HISTORY_S = 3600
/** Job queue depth sampling and wall-clock re-anchoring. */
const TICK_MS = 1000

interface Recorders {
  http: HttpMetrics
  series: TimeSeries
  routeStats: RouteStats
  routes: LabelIndex
}

function historySeconds (ms: number): number {
  return Math.min(MAX_HISTORY_S, Math.max(MIN_HISTORY_S, Math.round(ms / 1000)))
}

const metricsPlugin: FastifyPluginAsync<MetricsPluginOptions> = async (fastify, { config }) => {
  const sidecar = fastify.sidecar
  const registry = sidecar.metrics
  if (config.processMetrics) collectDefaultMetrics({ register: registry })
  const routes = new LabelIndex(config.maxRoutes, ['proxy', 'admin'])
  // The cache plugin's outcome field, when it is on; known once every plugin registered.
  let cacheField: RequestField | null = null
  fastify.addHook('onReady', async () => {
    cacheField = sidecar.requestField('cache')
    for (const g of sidecar.routeGroups) routes.index(g.name)
  })
  const rec: Recorders = {
    http: new HttpMetrics({ registry, routes, buckets: config.buckets }),
    series: new TimeSeries({ seconds: historySeconds(config.history) }),
    routeStats: new RouteStats(),
    routes
  }
  // Under server.workers the dashboard shows the node (the primary adds the workers up); in one process it reads
  // this process's figures directly, with no IPC.
  const link = sidecar.node
  const cluster = link === null ? null : new ClusterNodeLive(link, rec.series, rec.routeStats, fastify.log)
  const live: LiveMetrics = { series: rec.series, routes: rec.routeStats, node: cluster ?? localNodeLive(rec.series, rec.routeStats) }
  const clock = { offset: Date.now() - performance.now() }
  fastify.decorate('sidecarMetrics', live)
  // The fleet heartbeat's req/s and hit ratio come from the live series' running totals (the difference between
  // two beats), so a request is counted once for both.
  sidecar.fleet.setCounts(() => rec.series.totals())

  // Created once here, not per request: the hook only reads request state and bumps counters.
  const recordResponse = function recordResponse (request: FastifyRequest, reply: FastifyReply,
    done: () => void): void {
    const state = request.sidecar
    // Requests rejected before the core's onRequest hook ran have no state (and never reached the site).
    if (state === null) {
      done()
      return
    }
    const status = reply.raw.statusCode
    const end = performance.now()
    const ms = end - state.start
    // One clock read per request: wall time from the monotonic clock plus an offset refreshed by the timer below.
    const now = clock.offset + end
    const r = rec.routes.index(state.route)
    const cache = cacheField === null ? null : cacheField.get(state)
    rec.http.record(r, request.raw.method ?? 'GET', status, cache, ms, state.upstreamMs, state.upstreamError)
    const failed = state.upstreamError !== null
    rec.series.record(now, ms, status, cache, state.upstreamMs, failed)
    rec.routeStats.record(now, rec.routes.names[r], ms, status, cache, state.upstreamMs, failed)
    done()
  }
  // The proxy route and the route groups (the PHP app's job calls are site traffic too), never the admin: its own
  // traffic (the dashboard's polling, scrapes) would drown the site's numbers.
  sidecar.addProxyHook('onResponse', recordResponse, { name: 'metrics' })
  sidecar.addRouteGroupHook('onResponse', recordResponse, { name: 'metrics' })
  const routeLabel = (route: string): string => routes.names[routes.index(route)]
  // Innermost (after every other interceptor): it must see the origin's own responses.
  sidecar.addUpstreamInterceptor(originCacheabilityInterceptor(rec.routeStats, routeLabel), { name: 'metrics', after: ['cache'] })

  sidecar.addAdminRoutes(async admin => {
    admin.get('/metrics', async (_request, reply) => {
      const { contentType, body } = await sidecar.metricsText()
      reply.header('content-type', contentType).header('cache-control', 'no-store')
      return body
    })
  })

  const queueTimer = setInterval(() => {
    // Follows wall-clock adjustments (NTP), so rows keep lining up with the browser's clock.
    clock.offset = Date.now() - performance.now()
    cluster?.report()
    sampleQueueDepth(registry, rec.series).catch((err: Error) => {
      fastify.log.debug({ err: { message: err.message } }, 'sampling the job queue depth failed')
    })
  }, TICK_MS).unref()

  let server: Server | null = null
  if (config.port !== 0) {
    fastify.addHook('onReady', async () => {
      server = await startMetricsServer(() => sidecar.metricsText(), config.host, config.port)
      fastify.log.info({ host: config.host, port: config.port }, 'metrics served on a separate port (no auth)')
    })
  }
  fastify.addHook('onClose', async () => {
    clearInterval(queueTimer)
    if (server !== null) {
      const s: Server = server
      await new Promise<void>(resolve => {
        s.close(() => { resolve() })
        s.closeAllConnections()
      })
    }
  })

  fastify.sidecar.reportFeature({
    name: 'metrics',
    state: 'on',
    detail: `Prometheus metrics at ${fastify.sidecar.config.admin.prefix}/metrics` +
      (config.port === 0 ? '' : ` and http://${config.host}:${config.port}/metrics`)
  })
}

export default fp(metricsPlugin, { name: 'sipup-metrics', fastify: '5.x', dependencies: ['sipup-core'] })
