// The dashboard's view of origin protection for the whole node: under `server.workers` each worker guards a share
// (worker-share.ts), so the primary polls every worker for its status and adds them up (the limit is then the
// node's N, not the serving worker's share). One process reads its own guard, no IPC.
import type { NodeLink } from '../../core/types.js'
import type { OriginGuard, OriginGuardStatus } from './origin-guard.js'

/** Primary polls every worker: its guard's OriginGuardStatus. */
export const TOPIC_GUARD_STATUS = 'origin-guard:status'
/** Worker asks the primary for the node's: the workers' statuses summed. */
export const TOPIC_NODE_GUARD_STATUS = 'origin-guard:node-status'

/** How long the dashboard waits for the primary (which waits for each worker's answer up to its poll timeout). */
const ASK_TIMEOUT_MS = 3000

export function isGuardStatus (v: unknown): v is OriginGuardStatus {
  const s = v as Partial<OriginGuardStatus> | null
  return typeof s === 'object' && s !== null && typeof s.limit === 'number' && typeof s.inflight === 'number' &&
    typeof s.queued === 'number' && typeof s.shedQueueFull === 'number' && typeof s.shedQueueTimeout === 'number'
}

/** Every field is a count of its worker, so the node's is the sum. */
export function sumGuardStatus (list: readonly OriginGuardStatus[]): OriginGuardStatus {
  const sum = (f: (s: OriginGuardStatus) => number): number => list.reduce((n, s) => n + f(s), 0)
  return { limit: sum(s => s.limit), inflight: sum(s => s.inflight), queued: sum(s => s.queued), shedQueueFull: sum(s => s.shedQueueFull), shedQueueTimeout: sum(s => s.shedQueueTimeout) }
}

/** What the dashboard reads: the node's status through `link` (this worker's own should the primary not answer),
 * or the guard's own without a link. Also makes this worker answer the primary's polls. */
export function guardStatusReader (guard: OriginGuard, link: NodeLink | null): () => Promise<OriginGuardStatus> {
  if (link === null) return async () => guard.status()
  link.answer(TOPIC_GUARD_STATUS, () => guard.status())
  return async () => {
    try {
      const v = await link.ask(TOPIC_NODE_GUARD_STATUS, null, ASK_TIMEOUT_MS)
      return isGuardStatus(v) ? v : guard.status()
    } catch {
      return guard.status()
    }
  }
}
