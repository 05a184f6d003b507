// Applies `cache.invalidate` rules: an upstream interceptor that, when an unsafe request matching a rule succeeds
// (2xx/3xx), runs the rule's purges and holds the response back until they are done (bounded by MAX_HOLD_MS), so a
// client that edits and then reloads never gets the stale page back. Requests no rule names cost one Set lookup.
// Its own interceptor (not part of the cache handler) so the RFC 9111 invalidation stays as it is.
import type { Dispatcher } from 'undici'
import type { FastifyRequest } from 'fastify'
import { kSidecarRequest } from '../../symbols.js'
import type { InvalidationRules, PurgePlan } from './invalidation-rules.js'

type Handler = Dispatcher.DispatchHandler
type Controller = Dispatcher.DispatchController
type Headers = Record<string, string | string[] | undefined>
type Opts = Dispatcher.DispatchOptions & { [kSidecarRequest]?: FastifyRequest }

/** Longest a response waits for its purges (a hung store must not hang the edit). */
export const MAX_HOLD_MS = 2000

export type RunPlan = (plan: PurgePlan) => Promise<unknown>

export function invalidateInterceptor (rules: InvalidationRules, run: RunPlan): Dispatcher.DispatcherComposeInterceptor {
  return dispatch => function invalidateDispatch (opts: Opts, handler: Handler) {
    if (!rules.methods.has(opts.method)) return dispatch(opts, handler)
    const request = opts[kSidecarRequest]
    if (request === undefined) return dispatch(opts, handler)
    const url = request.raw.url ?? '/'
    const q = url.indexOf('?')
    const plan = rules.match(opts.method, q === -1 ? url : url.slice(0, q))
    if (plan === null) return dispatch(opts, handler)
    return dispatch(opts, new PurgeOnSuccessHandler(plan, run, handler))
  }
}

/** Passes everything through, except that a success's response start (and whatever follows it) waits for the
 * purges; events that arrive meanwhile are queued in order and replayed. */
class PurgeOnSuccessHandler implements Handler {
  readonly #plan: PurgePlan
  readonly #run: RunPlan
  readonly #next: Handler
  #holding = false
  #queue: (() => void)[] = []

  constructor (plan: PurgePlan, run: RunPlan, next: Handler) {
    this.#plan = plan
    this.#run = run
    this.#next = next
  }

  onRequestStart (controller: Controller, context: unknown): void { this.#next.onRequestStart?.(controller, context) }
  onRequestUpgrade (controller: Controller, statusCode: number, headers: Headers, socket: import('node:stream').Duplex): void {
    this.#next.onRequestUpgrade?.(controller, statusCode, headers as never, socket)
  }

  onResponseStart (controller: Controller, statusCode: number, headers: Headers, statusMessage?: string): void {
    const start = (): void => { this.#next.onResponseStart?.(controller, statusCode, headers as never, statusMessage) }
    if (statusCode < 200 || statusCode >= 400) { start(); return }
    this.#holding = true
    this.#queue.push(start)
    controller.pause()
    let timer: NodeJS.Timeout | undefined
    const release = (): void => {
      clearTimeout(timer)
      if (!this.#holding) return
      this.#holding = false
      const queue = this.#queue
      this.#queue = []
      for (const fn of queue) fn()
      if (!controller.aborted) controller.resume()
    }
    timer = setTimeout(release, MAX_HOLD_MS)
    this.#run(this.#plan).then(release, release)
  }

  onResponseData (controller: Controller, chunk: Buffer): void {
    if (this.#holding) { this.#queue.push(() => { this.#next.onResponseData?.(controller, chunk) }); return }
    this.#next.onResponseData?.(controller, chunk)
  }

  onResponseEnd (controller: Controller, trailers: Headers): void {
    if (this.#holding) { this.#queue.push(() => { this.#next.onResponseEnd?.(controller, trailers as never) }); return }
    this.#next.onResponseEnd?.(controller, trailers as never)
  }

  onResponseError (controller: Controller, err: Error): void {
    if (this.#holding) { this.#queue.push(() => { this.#next.onResponseError?.(controller, err) }); return }
    this.#next.onResponseError?.(controller, err)
  }
}
