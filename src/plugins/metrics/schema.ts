// The `metrics:` config section. Prometheus metrics are always defined on the shared registry by every plugin;
// this section decides whether the sidecar adds HTTP/process metrics, keeps the dashboard's live history and
// serves /metrics.
import { Type } from '@sinclair/typebox'
import { Duration } from '../../config/units.js'

export const MetricsSchema = Type.Object({
  enabled: Type.Boolean({ description: 'Record HTTP and process metrics, keep the dashboard\'s live history and serve them at <admin.prefix>/metrics.', default: true }),
  port: Type.Integer({
    description: 'Also serve /metrics (no auth) on this separate port for Prometheus (0 = only under the admin prefix, behind admin auth).',
    default: 0,
    minimum: 0,
    maximum: 65535
  }),
  host: Type.String({ description: 'Address of the separate metrics port; keep it on a private interface, it has no auth.', default: '127.0.0.1' }),
  processMetrics: Type.Boolean({ description: 'Add Node process metrics (CPU, memory, event-loop lag, GC, handles) with the standard Prometheus names.', default: true }),
  maxRoutes: Type.Integer({
    description: 'Distinct `route` label values kept; later ones are counted under `other` so a misbehaving rule cannot explode Prometheus.',
    default: 200,
    minimum: 10,
    maximum: 10_000
  }),
  history: Duration({ description: 'How much per-second history the dashboard keeps in memory (1 s resolution, clamped to 1m..1h).', default: '15m' }),
  buckets: Type.Array(Type.Number({ exclusiveMinimum: 0 }), {
    description: 'Upper bounds (seconds) of the request and upstream duration histogram buckets.',
    default: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    minItems: 1,
    maxItems: 30
  })
}, { additionalProperties: false, description: 'Prometheus metrics and the dashboard\'s live history.', default: {} })
