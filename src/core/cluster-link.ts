// A proxy worker's side of `server.workers`: the primary (src/cluster/primary.ts) asks every worker for its
// registry through prom-client's AggregatorRegistry, so a scrape of any worker returns the whole node; and it tells
// the workers how the pool is doing (a crash loop shows on /_admin/ready of the workers still running). Besides,
// three plain message kinds by topic, for what a capability shares across the node (the dashboard's live figures,
// src/plugins/metrics/node-live.ts): `tell` (worker to primary, no answer), `ask` (worker to primary, answered),
// and polls (primary to every worker, each answered through `answer`).
import cluster from 'node:cluster'
import { AggregatorRegistry, type Registry } from 'prom-client'
import type { HealthResult, NodeLink } from './types.js'

export const MSG_METRICS_REQ = 'sipup:metrics-req'
export const MSG_METRICS_RES = 'sipup:metrics-res'
export const MSG_POOL_STATE = 'sipup:pool-state'
export const MSG_TELL = 'sipup:tell'
export const MSG_ASK = 'sipup:ask'
export const MSG_ANSWER = 'sipup:answer'
export const MSG_POLL = 'sipup:poll'
export const MSG_POLL_RES = 'sipup:poll-res'

export interface MetricsRequest { type: typeof MSG_METRICS_REQ, id: number }
export interface MetricsResponse { type: typeof MSG_METRICS_RES, id: number, contentType: string, body?: string, error?: string }
export interface PoolState { type: typeof MSG_POOL_STATE, workers: number, running: number, crashLoop: string | null }

export interface TellMessage { type: typeof MSG_TELL, topic: string, payload: unknown }
export interface AskMessage { type: typeof MSG_ASK, id: number, topic: string, payload: unknown }
export interface AnswerMessage { type: typeof MSG_ANSWER, id: number, value?: unknown, error?: string }
export interface PollMessage { type: typeof MSG_POLL, id: number, topic: string }
export interface PollResponse { type: typeof MSG_POLL_RES, id: number, value?: unknown, error?: string }

export interface MetricsText { contentType: string, body: string }

/** How long a scrape waits for the primary (it waits for every worker in turn: prom-client's default is 5 s). */
const SCRAPE_TIMEOUT_MS = 6000

export function isMessage<T extends { type: string }> (m: unknown, type: T['type']): m is T {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type
}

/** To the primary; a channel that is closing (the worker is stopping) drops the message instead of throwing. */
function send (message: object): void {
  if (process.connected !== true || typeof process.send !== 'function') return
  process.send(message, undefined, undefined, (err: Error | null) => { void err })
}

export class ClusterLink implements NodeLink {
  readonly #pending = new Map<number, (m: MetricsResponse) => void>()
  readonly #asks = new Map<number, (m: AnswerMessage) => void>()
  readonly #answers = new Map<string, () => unknown>()
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
      } else if (isMessage<AnswerMessage>(m, MSG_ANSWER)) {
        this.#asks.get(m.id)?.(m)
        this.#asks.delete(m.id)
      } else if (isMessage<PollMessage>(m, MSG_POLL)) {
        this.#onPoll(m)
      }
    })
  }

  /** Sends the primary a message it does not answer (dropped while the channel is closing). */
  tell (topic: string, payload: unknown): void {
    send({ type: MSG_TELL, topic, payload } satisfies TellMessage)
  }

  /** Asks the primary; rejects after `timeoutMs` without an answer. */
  async ask (topic: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    const id = ++this.#next
    return await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#asks.delete(id)
        reject(new Error(`the cluster primary did not answer '${topic}'`))
      }, timeoutMs)
      this.#asks.set(id, m => {
        clearTimeout(timer)
        if (m.error !== undefined) reject(new Error(m.error))
        else resolve(m.value)
      })
      send({ type: MSG_ASK, id, topic, payload } satisfies AskMessage)
    })
  }

  /** What this worker answers when the primary polls every worker on `topic`. */
  answer (topic: string, fn: () => unknown): void {
    this.#answers.set(topic, fn)
  }

  #onPoll (m: PollMessage): void {
    const fn = this.#answers.get(m.topic)
    if (fn === undefined) {
      send({ type: MSG_POLL_RES, id: m.id, error: `no answer for '${m.topic}'` } satisfies PollResponse)
      return
    }
    try {
      send({ type: MSG_POLL_RES, id: m.id, value: fn() } satisfies PollResponse)
    } catch (err) {
      send({ type: MSG_POLL_RES, id: m.id, error: (err as Error).message } satisfies PollResponse)
    }
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
      send({ type: MSG_METRICS_REQ, id } satisfies MetricsRequest)
    })
  }

  health (): HealthResult {
    const s = this.#state
    if (s === null || s.crashLoop === null) return { ok: true }
    return { ok: false, reason: `${s.running} of ${s.workers} workers running: ${s.crashLoop}` }
  }
}
