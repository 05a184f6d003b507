// upstream.maxConcurrent is the node's limit (php-fpm's pm.max_children), not each process's: with server.workers > 1
// every worker guards the origin alone, so each gets a share, and the shares add up to the node's figure exactly.
// The split is static: a worker whose share is busy queues even while another worker has a free slot (the kernel
// spreads connections, not requests, across workers), so the node never exceeds N but may use less under skew.
import type { CoreConfig } from '../../config/core-schema.js'
import type { WorkerSlot } from '../../cluster/worker-slot.js'
import { SIPUP_ERR_UPSTREAM_GUARD_CONFIG } from '../../errors.js'
import { LaneRules } from './lanes.js'

type Upstream = CoreConfig['upstream']

/** Slot `index` of `count`'s part of `total`: the first `total % count` slots get one more, so the parts sum to `total`. */
export function shareOf (total: number, count: number, index: number): number {
  return Math.floor(total / count) + (index < total % count ? 1 : 0)
}

/** What one worker guards: maxConcurrent, the queue size and the auto bounds split by shareOf. Without a slot (one
 * process) the config as written. The queue is split like the limit so each worker's queue-to-limit ratio, and so
 * its wait estimate (requests ahead x slot time / limit), is the node's. */
export function workerUpstream (upstream: Upstream, slot: WorkerSlot | null): Upstream {
  if (slot === null || slot.count === 1) return upstream
  checkSplittable(upstream, slot.count)
  const { index, count } = slot
  const part = (n: number): number => shareOf(n, count, index)
  const max = upstream.maxConcurrent
  const auto = upstream.autoLimit
  // autoLimit.min is a floor, not a budget: a worker never goes below 1 even where min < workers.
  const lo = Math.max(1, part(auto.min))
  const hi = part(auto.max)
  return {
    ...upstream,
    maxConcurrent: max === 'auto' || max === 0 ? max : part(max),
    autoLimit: { min: lo, max: hi, initial: Math.min(hi, Math.max(lo, part(auto.initial))) },
    queue: { ...upstream.queue, size: part(upstream.queue.size) }
  }
}

/** What start-up refuses in `upstream.*`'s origin protection that the schema can't express, for `check-config` too
 * (src/sidecar-config.ts checkConfig): lane rules that can't match, auto bounds the wrong way round, and a limit the
 * workers can't split. */
export function checkOriginGuardConfig (upstream: Upstream, workers: number): void {
  void new LaneRules(upstream.lanes)
  checkAutoBounds(upstream)
  checkSplittable(upstream, workers)
}

export function checkAutoBounds (upstream: Upstream): void {
  const auto = upstream.autoLimit
  if (upstream.maxConcurrent === 'auto' && auto.min > auto.max) {
    throw new SIPUP_ERR_UPSTREAM_GUARD_CONFIG('autoLimit.min', `at most autoLimit.max (${auto.max})`, String(auto.min))
  }
}

/** The node's limit must leave each of `workers` at least one origin slot; checked by the primary before it forks and
 * by each worker. */
export function checkSplittable (upstream: Upstream, workers: number): void {
  if (workers <= 1) return
  const max = upstream.maxConcurrent
  if (typeof max === 'number' && max > 0 && max < workers) {
    throw new SIPUP_ERR_UPSTREAM_GUARD_CONFIG('maxConcurrent', `0 or at least server.workers (${workers}): the limit is the node's, ` +
      'split across the workers, and each needs one origin slot', String(max))
  }
  if (max === 'auto' && upstream.autoLimit.max < workers) {
    throw new SIPUP_ERR_UPSTREAM_GUARD_CONFIG('autoLimit.max', `at least server.workers (${workers}): the bounds are the node's, ` +
      'split across the workers', String(upstream.autoLimit.max))
  }
}
