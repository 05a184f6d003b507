// Builds origin protection from `upstream.*` once, at start-up, and registers it as the innermost upstream
// interceptor. Null config (maxConcurrent 0) builds nothing: the proxy path stays exactly as without it.
import type { CoreConfig } from '../../config/core-schema.js'
import type { RequestField, Sidecar } from '../../core/types.js'
import { LaneRules } from './lanes.js'
import { LANES, type Lane } from './lane-queue.js'
import { AdaptiveLimit, LoopStallWatcher } from './adaptive-limit.js'
import { GuardMetrics } from './metrics.js'
import { OriginGuard, type ConcurrencyLimit } from './origin-guard.js'
import { BusyAnswer, shedSignals } from './shed.js'
import { checkAutoBounds, workerUpstream } from './worker-share.js'
import type { WorkerSlot } from '../../cluster/worker-slot.js'

/** Requests the sidecar makes itself (the cache's background refreshes) wait behind the visitors'. */
const OWN_REQUESTS: Lane = 2

/** `slot`: this worker's place in a `server.workers` node (src/cluster/worker-slot.ts); it guards its share of the
 * node's limit and queue (worker-share.ts). Null: one process, the limits as written. */
export function installOriginGuard (sidecar: Sidecar, node: CoreConfig['upstream'], slot: WorkerSlot | null = null): OriginGuard | null {
  // Checked even while the limit is off, so a bad rule fails at start-up, not on the day the limit is turned on.
  const lanes = new LaneRules(node.lanes)
  if (node.maxConcurrent === 0) return null
  checkAutoBounds(node)
  const upstream = workerUpstream(node, slot)
  const max = upstream.maxConcurrent
  const auto = upstream.autoLimit
  const stalls = max === 'auto' ? new LoopStallWatcher() : null
  const limit: ConcurrencyLimit = max === 'auto' ? new AdaptiveLimit(auto, undefined, stalls) : { current: max }
  // Other capabilities' fields (the cache outcome), looked up once on first use: every plugin defined its own by then.
  const fields = new Map<string, RequestField | null>()
  const fieldOf = (name: string): RequestField | null => {
    let f = fields.get(name)
    if (f === undefined) { f = sidecar.requestField(name); fields.set(name, f) }
    return f
  }
  let guard: OriginGuard | null = null
  const metrics = new GuardMetrics(sidecar.metrics, {
    get inflight () { return guard?.inflight ?? 0 },
    get limit () { return limit.reported ?? limit.current },
    depth: lane => guard?.depth(lane) ?? 0
  })
  guard = new OriginGuard({
    limit,
    queueSize: upstream.queue.size,
    queueTimeoutMs: upstream.queue.timeout,
    weights: LANES.map(l => upstream.lanes.weights[l]),
    classify: (_opts, request) => request === null
      ? OWN_REQUESTS
      : lanes.classify({
        method: request.raw.method ?? 'GET',
        url: request.raw.url ?? '/',
        headers: request.raw.headers,
        field: name => fieldOf(name)?.get(request.sidecar) ?? null
      }),
    signals: shedSignals(new BusyAnswer(upstream.busy)),
    field: sidecar.defineRequestField('originGuard'),
    metrics
  })
  // Innermost: the cache (and the metrics' origin watch) wrap it, so hits never queue and stale copies can answer
  // a shed request. Registered after every plugin, and ties keep registration order, so it is last unless a plugin
  // asks otherwise.
  sidecar.addUpstreamInterceptor(guard.interceptor, { name: 'originGuard', after: ['cache', 'metrics'] })
  const g = guard
  sidecar.onClose(() => { g.close(); stalls?.close() })
  sidecar.reportFeature({
    name: 'originGuard',
    state: 'on',
    detail: `${max === 'auto' ? `adaptive limit (${auto.min}-${auto.max}, from ${limit.reported ?? limit.current})` : `at most ${max}`} requests at the ` +
      `origin, queue of ${upstream.queue.size} (${upstream.queue.timeout} ms)` +
      (slot === null || slot.count === 1 ? '' : `: worker ${slot.index + 1} of ${slot.count}'s share of the node's ` +
        `${node.maxConcurrent === 'auto' ? `${node.autoLimit.min}-${node.autoLimit.max}` : node.maxConcurrent} and queue of ${node.queue.size}`)
  })
  return guard
}
