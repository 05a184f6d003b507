// A proxy worker's side of `server.workers`: the primary (src/cluster/primary.ts) asks every worker for its
// registry through prom-client's AggregatorRegistry, so a scrape of any worker returns the whole node; and it tells
// the workers how the pool is doing (a crash loop shows on /_admin/ready of the workers still running).
import cluster from 'node:cluster'
import { AggregatorRegistry, type Registry } from 'prom-client'
import type { HealthResult } from './types.js'

export const MSG_METRICS_REQ = 'sipup:metrics-req'
export const MSG_METRICS_RES = 'sipup:metrics-res'
export const MSG_POOL_STATE = 'sipup:pool-state'

export interface MetricsRequest { type: typeof MSG_METRICS_REQ, id: number }
export interface MetricsResponse { type: typeof MSG_METRICS_RES, id: number, contentType: string, body?: string, error?: string }
export interface PoolState { type: typeof MSG_POOL_STATE, workers: number, running: number, crashLoop: string | null }

export interface MetricsText { contentType: string, body: string }

/** How long a scrape waits for the primary (it waits for every worker in turn: prom-client's default is 5 s). */
const SCRAPE_TIMEOUT_MS = 6000

function isMessage<T extends { type: string }> (m: unknown, type: T['type']): m is T {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type
}

export class ClusterLink {
  readonly #pending = new Map<number, (m: MetricsResponse) => void>()
  #next = 0
  #state: PoolState | null = null

  constructor (registry: Registry) {
    // The primary's AggregatorRegistry asks each worker for these registries. prom-client answers on its own, but
    // installs the worker's listener only when an AggregatorRegistry is constructed in the worker too.
    AggregatorRegistry.setRegistries([registry])
    void new AggregatorRegistry()
    process.on('message', (m: unknown) => {
      if (isMessage<MetricsResponse>(m, MSG_METRICS_RES)) {
        this.#pending.get(m.id)?.(m)
        this.#pending.delete(m.id)
      } else if (isMessage<PoolState>(m, MSG_POOL_STATE)) {
        this.#state = m
      }
    })
  }

  /** Present only in a worker of a cluster started by `server.workers`. */
  static join (registry: Registry): ClusterLink | null {
    return cluster.isWorker && typeof process.send === 'function' ? new ClusterLink(registry) : null
  }

  /** The whole node's metrics, aggregated by the primary. */
  async metrics (): Promise<MetricsText> {
    const id = ++this.#next
    return await new Promise<MetricsText>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new Error('the cluster primary did not answer the metrics request'))
      }, SCRAPE_TIMEOUT_MS)
      this.#pending.set(id, m => {
        clearTimeout(timer)
        if (m.body === undefined) reject(new Error(m.error ?? 'metrics aggregation failed'))
        else resolve({ contentType: m.contentType, body: m.body })
      })
      process.send?.({ type: MSG_METRICS_REQ, id } satisfies MetricsRequest)
    })
  }

  health (): HealthResult {
    const s = this.#state
    if (s === null || s.crashLoop === null) return { ok: true }
    return { ok: false, reason: `${s.running} of ${s.workers} workers running: ${s.crashLoop}` }
  }
}
