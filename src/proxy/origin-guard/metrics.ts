// Origin protection on the shared registry: what is at the origin, what waits (per lane), what was shed and why.
// Children are bound once per lane and reason, so the request path only increments what it already holds.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { LANES, type Lane } from './lane-queue.js'
import type { ShedCause, ShedReason } from './shed.js'

/** What the gauges read at scrape time. */
export interface GuardView {
  readonly inflight: number
  readonly limit: number
  depth (lane: Lane): number
}

type CounterChild = ReturnType<Counter<string>['labels']>
type HistogramChild = ReturnType<Histogram<string>['labels']>

const CAUSES: readonly ShedCause[] = ['wait', 'full', 'evicted', 'late', 'timeout']

const WAIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export class GuardMetrics {
  readonly #shed: Record<ShedReason, CounterChild>[]
  readonly #cause: Record<ShedCause, CounterChild>[]
  readonly #abandoned: CounterChild[]
  readonly #wait: HistogramChild[]

  constructor (registry: Registry, view: GuardView) {
    new Gauge({ // eslint-disable-line no-new
      name: 'sipup_origin_inflight',
      help: 'Requests at the origin now (upstream.maxConcurrent bounds it).',
      registers: [registry],
      collect () { this.set(view.inflight) }
    })
    new Gauge({ // eslint-disable-line no-new
      name: 'sipup_origin_concurrency_limit',
      help: 'The current limit of requests at the origin (fixed, or found by maxConcurrent: auto).',
      registers: [registry],
      collect () { this.set(view.limit) }
    })
    new Gauge({ // eslint-disable-line no-new
      name: 'sipup_origin_queue_depth',
      help: 'Requests waiting for an origin slot, by lane.',
      labelNames: ['lane'] as const,
      registers: [registry],
      collect () { LANES.forEach((name, i) => { this.labels(name).set(view.depth(i as Lane)) }) }
    })
    const wait = new Histogram({
      name: 'sipup_origin_queue_wait_seconds',
      help: 'Time requests waited for an origin slot before they were sent, by lane (requests sent at once are not observed).',
      labelNames: ['lane'] as const,
      buckets: WAIT_BUCKETS,
      registers: [registry]
    })
    const shed = new Counter({
      name: 'sipup_origin_shed_total',
      help: 'Requests not sent to the origin because it was at its limit, by reason (queue-full, queue-timeout) and lane; ' +
        'each got a stale copy or a 503.',
      labelNames: ['reason', 'lane'] as const,
      registers: [registry]
    })
    const cause = new Counter({
      name: 'sipup_origin_shed_cause_total',
      help: 'Shed requests by cause and lane: wait (on arrival, its wait would pass its deadline), full (the queue was at ' +
        'queue.size), evicted (pushed out by a more important one), late (judged again while queued: could no longer make ' +
        'its deadline), timeout (waited until its deadline). The first three are reason queue-full, the last two queue-timeout.',
      labelNames: ['cause', 'lane'] as const,
      registers: [registry]
    })
    const abandoned = new Counter({
      name: 'sipup_origin_queue_abandoned_total',
      help: 'Queued requests whose client went away before an origin slot was free (never sent), by lane.',
      labelNames: ['lane'] as const,
      registers: [registry]
    })
    this.#wait = LANES.map(l => wait.labels(l))
    this.#shed = LANES.map(l => ({ 'queue-full': shed.labels('queue-full', l), 'queue-timeout': shed.labels('queue-timeout', l) }))
    this.#cause = LANES.map(l => Object.fromEntries(CAUSES.map(c => [c, cause.labels(c, l)])) as Record<ShedCause, CounterChild>)
    this.#abandoned = LANES.map(l => abandoned.labels(l))
  }

  waited (lane: Lane, seconds: number): void { this.#wait[lane].observe(seconds) }
  shed (lane: Lane, reason: ShedReason, cause: ShedCause): void {
    this.#shed[lane][reason].inc()
    this.#cause[lane][cause].inc()
  }
  abandoned (lane: Lane): void { this.#abandoned[lane].inc() }
}
