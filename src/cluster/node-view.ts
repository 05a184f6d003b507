// The primary's half of the dashboard's node view under `server.workers`: it adds up the workers' finished seconds
// into one node series, and answers a worker's request for the route table (or the origin guard's status) by
// polling every worker for its own and merging them (src/plugins/metrics/node-live.ts and
// src/proxy/origin-guard/node-status.ts are the workers' half). Messages by topic come through the
// generic tell/ask/poll kinds of src/core/cluster-link.ts.
import type { Worker } from 'node:cluster'
import {
  MSG_ANSWER, MSG_ASK, MSG_POLL, MSG_POLL_RES, MSG_TELL, isMessage, type AnswerMessage, type AskMessage, type PollMessage, type PollResponse,
  type TellMessage
} from '../core/cluster-link.js'
import { NodeSeries, type SeriesReport } from '../plugins/metrics/node-series.js'
import { TOPIC_ROUTE_EXPORT, TOPIC_ROUTES, TOPIC_SERIES, TOPIC_SERIES_ROWS } from '../plugins/metrics/node-live.js'
import { mergeRouteExports, type RouteExport } from '../plugins/metrics/route-stats.js'
import { TOPIC_GUARD_STATUS, TOPIC_NODE_GUARD_STATUS, isGuardStatus, sumGuardStatus } from '../proxy/origin-guard/node-status.js'

/** How long the primary waits for every worker's route table; the ones that answered in time are merged. */
export const ROUTE_POLL_TIMEOUT_MS = 1500
/** Longest history kept (metrics.history's maximum), whatever a worker claims. */
const MAX_SECONDS = 3600

function isSeriesReport (p: unknown): p is SeriesReport {
  const r = p as Partial<SeriesReport> | null
  return typeof r === 'object' && r !== null && typeof r.seconds === 'number' && typeof r.upTo === 'number' &&
    Array.isArray(r.rows) && (r.queueDepth === null || typeof r.queueDepth === 'number')
}

function isRouteExport (v: unknown): v is RouteExport {
  const x = v as Partial<RouteExport> | null
  return typeof x === 'object' && x !== null && typeof x.pid === 'number' && typeof x.seconds === 'number' && Array.isArray(x.routes)
}

function send (worker: Worker, message: object): void {
  if (worker.isConnected()) worker.send(message, undefined, (err: Error | null) => { void err })
}

export class NodeView {
  readonly #workers: () => Worker[]
  #series: NodeSeries | null = null
  /** The running workers, whose reports the node's seconds wait for. */
  readonly #known = new Set<number>()
  readonly #polls = new Map<number, (m: PollResponse) => void>()
  #next = 0

  /** `workers`: the workers to poll (the running ones). */
  constructor (workers: () => Worker[]) {
    this.#workers = workers
  }

  /** Handles the view's messages from `worker`; false for any other message. */
  handle (worker: Worker, m: unknown): boolean {
    if (isMessage<TellMessage>(m, MSG_TELL)) {
      if (m.topic === TOPIC_SERIES_ROWS && isSeriesReport(m.payload)) this.#addRows(worker.id, m.payload)
      return true
    }
    if (isMessage<AskMessage>(m, MSG_ASK)) {
      this.#answer(m).then(value => {
        send(worker, { type: MSG_ANSWER, id: m.id, value } satisfies AnswerMessage)
      }, (err: Error) => {
        send(worker, { type: MSG_ANSWER, id: m.id, error: err.message } satisfies AnswerMessage)
      })
      return true
    }
    if (isMessage<PollResponse>(m, MSG_POLL_RES)) {
      this.#polls.get(m.id)?.(m)
      this.#polls.delete(m.id)
      return true
    }
    return false
  }

  /** A worker that started: the node's seconds wait for its first report (for NodeSeries' LATE_S at most). */
  join (workerId: number): void {
    this.#known.add(workerId)
    this.#series?.expect(workerId)
  }

  /** A worker that exited no longer holds the node's seconds open. */
  forget (workerId: number): void {
    this.#known.delete(workerId)
    this.#series?.forget(workerId)
  }

  #addRows (workerId: number, report: SeriesReport): void {
    if (this.#series === null) {
      this.#series = new NodeSeries({ seconds: Math.min(MAX_SECONDS, Math.max(1, report.seconds)) })
      for (const id of this.#known) this.#series.expect(id)
    }
    this.#series.add(workerId, report)
  }

  async #answer (m: AskMessage): Promise<unknown> {
    if (m.topic === TOPIC_SERIES) {
      const since = (m.payload as { since?: unknown } | null)?.since
      const from = typeof since === 'number' && Number.isFinite(since) ? since : undefined
      // Before the first report the node has no finished second yet.
      if (this.#series === null) return new NodeSeries({ seconds: 1 }).snapshot(Infinity)
      return this.#series.snapshot(from)
    }
    if (m.topic === TOPIC_ROUTES) {
      const answers = await Promise.all(this.#workers().map(async w => await this.#poll(w, TOPIC_ROUTE_EXPORT)))
      return mergeRouteExports(answers.filter(isRouteExport))
    }
    if (m.topic === TOPIC_NODE_GUARD_STATUS) {
      const answers = await Promise.all(this.#workers().map(async w => await this.#poll(w, TOPIC_GUARD_STATUS)))
      return sumGuardStatus(answers.filter(isGuardStatus))
    }
    throw new Error(`unknown topic '${m.topic}'`)
  }

  /** One worker's answer, or null when it did not answer in time. */
  async #poll (worker: Worker, topic: string): Promise<unknown> {
    if (!worker.isConnected()) return null
    const id = ++this.#next
    return await new Promise<unknown>(resolve => {
      const timer = setTimeout(() => {
        this.#polls.delete(id)
        resolve(null)
      }, ROUTE_POLL_TIMEOUT_MS)
      this.#polls.set(id, r => {
        clearTimeout(timer)
        resolve(r.error === undefined ? r.value : null)
      })
      send(worker, { type: MSG_POLL, id, topic } satisfies PollMessage)
    })
  }
}
