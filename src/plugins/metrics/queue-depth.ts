// The dashboard's queue-depth chart reads the jobs plugin's gauge from the shared registry, so neither plugin
// imports the other; until a gauge by that name exists the chart shows "off".
import type { Registry } from 'prom-client'
import type { TimeSeries } from './time-series.js'
import { QUEUE_DEPTH_METRIC } from './types.js'

/** Sums `sipup_jobs_queue_depth` over its queues into the series (left as "off" while the gauge is absent). */
export async function sampleQueueDepth (registry: Registry, series: TimeSeries): Promise<void> {
  const gauge = registry.getSingleMetric(QUEUE_DEPTH_METRIC)
  if (gauge === undefined) return
  const { values } = await gauge.get()
  let depth = 0
  for (const v of values) depth += v.value
  series.setQueueDepth(depth)
}
