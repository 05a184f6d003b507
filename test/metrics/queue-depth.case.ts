// The queue-depth chart lights up when a jobs plugin defines its gauge on the shared registry.
import t from '../helpers/cases.js'
import { Gauge, Registry } from 'prom-client'
import { sampleQueueDepth } from '../../src/plugins/metrics/queue-depth.js'
import { TimeSeries } from '../../src/plugins/metrics/time-series.js'
import { QUEUE_DEPTH_METRIC } from '../../src/plugins/metrics/types.js'

t.test('off without the gauge, the sum over queues with it', async t => {
  let now = 1_000_000
  const registry = new Registry()
  const series = new TimeSeries({ seconds: 60, now: () => now })
  await sampleQueueDepth(registry, series)
  now += 1000
  t.ok(Number.isNaN(series.snapshot().queueDepth[0]), 'off')
  const gauge = new Gauge({ name: QUEUE_DEPTH_METRIC, help: 'jobs waiting', labelNames: ['queue'], registers: [registry] })
  gauge.set({ queue: 'mail' }, 3)
  gauge.set({ queue: 'export' }, 4)
  await sampleQueueDepth(registry, series)
  now += 1000
  t.same(series.snapshot().queueDepth, [Number.NaN, 7])
})
