// The metrics plugin's public contract: the live figures the dashboard reads (`fastify.sidecarMetrics`).
import type { Section } from '../plugin-entry.js'
import type { MetricsSchema } from './schema.js'
import type { RouteStats } from './route-stats.js'
import type { TimeSeries } from './time-series.js'
import type { NodeLive } from './node-live.js'

/** The frozen `metrics:` section (schema in ./schema.ts). */
export type MetricsConfig = Section<typeof MetricsSchema>

export type MetricsPluginOptions = { config: MetricsConfig }

/** Name of the gauge a jobs plugin defines (`{queue}` label); the dashboard's queue-depth chart sums it. */
export const QUEUE_DEPTH_METRIC = 'sipup_jobs_queue_depth'

export interface LiveMetrics {
  /** This process's per-second history of the proxied traffic (admin requests are not counted). */
  readonly series: TimeSeries
  /** Per-route figures of the last one to two minutes. */
  readonly routes: RouteStats
  /** What the dashboard shows: the figures of the whole node, i.e. these two in one process, and every worker's
   * added up by the primary under `server.workers`. */
  readonly node: NodeLive
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Live figures for the dashboard; absent (or null) while the metrics plugin is off. */
    sidecarMetrics: LiveMetrics | null
  }
}
