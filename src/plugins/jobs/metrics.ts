// The engine's metrics on the given registry. Counters by type are counted in plain arrays and handed to
// prom-client when the registry is collected (as the rate-limit plugin does: prom-client hashes label sets on every
// inc). Queue depth and the oldest waiting job's age are read from Redis at collection, at most every
// STATS_TTL_MS however many scrapers and dashboards ask.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { QUEUE_DEPTH_METRIC } from '../metrics/types.js'
import type { QueueStats } from './types.js'

const STATS_TTL_MS = 500
/** Label for a job whose type is no longer configured (config changed while it waited). */
export const UNKNOWN_TYPE = '(unknown)'

class TypeCounter {
  readonly #index: Map<string, number>
  readonly #pending: Float64Array

  constructor (registry: Registry, name: string, help: string, types: readonly string[]) {
    const all = [...types, UNKNOWN_TYPE]
    this.#index = new Map(all.map((t, i) => [t, i]))
    const pending = this.#pending = new Float64Array(all.length)
    const existing = registry.getSingleMetric(name)
    if (existing !== undefined) registry.removeSingleMetric(name)
    new Counter({ // eslint-disable-line no-new
      name,
      help,
      labelNames: ['type'] as const,
      registers: [registry],
      collect () {
        for (let i = 0; i < pending.length; i++) {
          if (pending[i] === 0) continue
          this.inc({ type: all[i] }, pending[i])
          pending[i] = 0
        }
      }
    })
  }

  inc ({ type }: { type: string }, n = 1): void {
    this.#pending[this.#index.get(type) ?? this.#pending.length - 1] += n
  }
}

export interface JobsMetricsOptions {
  registry: Registry
  types: readonly string[]
  /** Reads the queues (null: no Redis side, e.g. a unit test); errors keep the last values. */
  queueStats: (() => Promise<QueueStats[]>) | null
  liveWorkers: (() => Promise<number>) | null
}

function fresh<T extends Gauge | Histogram> (registry: Registry, name: string, make: () => T): T {
  if (registry.getSingleMetric(name) !== undefined) registry.removeSingleMetric(name)
  return make()
}

export class JobsMetrics {
  readonly enqueued: TypeCounter
  readonly completed: TypeCounter
  readonly failed: TypeCounter
  readonly retried: TypeCounter
  readonly stalled: TypeCounter
  readonly duration: Histogram<'type' | 'outcome'>
  #stats: { at: number, value: Promise<QueueStats[] | null> } | null = null

  constructor (opts: JobsMetricsOptions) {
    const { registry, types } = opts
    this.enqueued = new TypeCounter(registry, 'sipup_jobs_enqueued_total', 'Jobs stored by the endpoint, a schedule or the CLI, by type (idempotent repeats not counted).', types)
    this.completed = new TypeCounter(registry, 'sipup_jobs_completed_total', 'Jobs that succeeded, by type.', types)
    this.failed = new TypeCounter(registry, 'sipup_jobs_failed_total', 'Jobs dead-lettered after their last attempt (or their stall limit), by type.', types)
    this.retried = new TypeCounter(registry, 'sipup_jobs_retried_total', 'Failed attempts that will be retried after a backoff, by type.', types)
    this.stalled = new TypeCounter(registry, 'sipup_jobs_stalled_total', 'Runs whose worker died or froze (the job is run again), by type.', types)
    this.duration = fresh(registry, 'sipup_jobs_duration_seconds', () => new Histogram({
      name: 'sipup_jobs_duration_seconds',
      help: 'Run time of one attempt by type and outcome (succeeded, failed, retrying).',
      labelNames: ['type', 'outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
      registers: [registry]
    }))
    const read = (): Promise<QueueStats[] | null> => {
      if (opts.queueStats === null) return Promise.resolve(null)
      const now = Date.now()
      if (this.#stats === null || now - this.#stats.at > STATS_TTL_MS) {
        this.#stats = { at: now, value: opts.queueStats().catch(() => null) }
      }
      return this.#stats.value
    }
    const queueGauge = (name: string, help: string, value: (s: QueueStats) => number): void => {
      fresh(registry, name, () => new Gauge({
        name,
        help,
        labelNames: ['queue'] as const,
        registers: [registry],
        async collect () {
          const stats = await read()
          if (stats !== null) for (const s of stats) this.set({ queue: s.queue }, value(s))
        }
      }))
    }
    queueGauge(QUEUE_DEPTH_METRIC, 'Jobs waiting to run, by queue (high, normal, low); delayed jobs are not counted until due.', s => s.waiting)
    queueGauge('sipup_jobs_oldest_waiting_seconds', 'Age of the oldest job waiting in each queue (0 when none waits): a growing value means workers fall behind.', s => s.oldestWaitingSeconds)
    const liveWorkers = opts.liveWorkers
    fresh(registry, 'sipup_jobs_workers', () => new Gauge({
      name: 'sipup_jobs_workers',
      help: 'Worker processes heard from within jobs.workerTtl (heartbeats in Redis).',
      registers: [registry],
      async collect () {
        if (liveWorkers === null) return
        const n = await liveWorkers().catch(() => null)
        if (n !== null) this.set(n)
      }
    }))
  }
}
