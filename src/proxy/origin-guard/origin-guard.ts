// Origin protection: at most `limit` requests at the origin at once (php-fpm's pm.max_children), the rest wait in a
// bounded queue of lanes inside the sidecar, where they cost the origin nothing. A request that waited too long, or
// finds the queue full, is shed: its handler chain gets an UpstreamShed error, which the cache answers with a
// stale copy when it holds one and the proxy otherwise answers with a fast 503. A queued request whose client went
// away leaves the queue and never reaches the origin.
// Each request has a deadline, queue.timeout after it reached the sidecar: a request whose expected wait plus one
// slot time would pass it is shed on arrival (fast), and queued ones are judged again when a more important one
// overtakes them, so nearly every shed is a fast one and an admitted request nearly always gets its slot in time
// (wait-estimate.ts). A request the origin already did work for (kOriginResumed: its context lookup was answered)
// goes to the front of the high lane and is shed only past its deadline: it is work in progress, not a new arrival.
// The innermost upstream interceptor: the cache's sits outside it, so cache hits never queue.
import type { Socket } from 'node:net'
import type { Dispatcher } from 'undici'
import type { FastifyRequest } from 'fastify'
import type { RequestField } from '../../core/types.js'
import { kOriginLane, kOriginResumed, kSidecarRequest, type OriginResumable } from '../../symbols.js'
import { LANES, LaneQueue, QueueNode, laneIndex, type Lane, type LaneName } from './lane-queue.js'
import type { GuardMetrics } from './metrics.js'
import { RecentCount } from './recent-count.js'
import type { ShedCause, ShedSignals } from './shed.js'
import { WaitEstimate } from './wait-estimate.js'

type Handler = Dispatcher.DispatchHandler
type Controller = Dispatcher.DispatchController
type Dispatch = Dispatcher['dispatch']
type Opts = Dispatcher.DispatchOptions & { [kSidecarRequest]?: FastifyRequest, [kOriginLane]?: LaneName }

const CLIENT_GONE = Object.assign(new Error('client closed the connection while queued'), { code: 'SIPUP_CLIENT_GONE' })
const kQueued = Symbol('sipup.originGuard.queued')
type TrackedSocket = Socket & { [kQueued]?: Set<Waiter> }

/** Sweeps queued requests for timeouts this often at most (ms). */
const MAX_SWEEP_MS = 250
const MIN_SWEEP_MS = 10
/** Share of queue.timeout an admitted request keeps in hand: it is admitted when its answer is expected that much
 * before its deadline, and shed while queued only once its slot is expected after the deadline itself. The gap
 * absorbs the estimate's noise, so an admitted request is rarely shed later (a slow 503). */
const ADMIT_HEADROOM = 0.2

const FULL_CAUSES: ReadonlySet<ShedCause> = new Set(['wait', 'full', 'evicted'])
/** The access log's word for each cause. */
const CAUSE_FIELD: Record<ShedCause, string> = {
  wait: 'queue-full', full: 'queue-full', evicted: 'queue-evicted', late: 'queue-late', timeout: 'queue-timeout'
}

/** Decides the limit as responses come back: a fixed number, or the adaptive limit (maxConcurrent: auto). */
export interface ConcurrencyLimit {
  readonly current: number
  /** The limit to show (metrics, dashboard) when `current` is briefly lower on purpose (a baseline probe). */
  readonly reported?: number
  /** One origin request finished: `rttMs` from send to its end, `inflight` when it was sent. */
  sample? (rttMs: number, inflight: number, ok: boolean): void
}

export interface OriginGuardOptions {
  limit: ConcurrencyLimit
  queueSize: number
  queueTimeoutMs: number
  /** Slots per lane per round (high, normal, low). */
  weights: readonly number[]
  /** The lane of a request that has to wait (one with `kOriginLane` set waits in that lane). */
  classify (opts: Opts, request: FastifyRequest | null): Lane
  signals: ShedSignals
  /** Per-request outcome on the access log: queued, queue-full, queue-timeout, client-gone. */
  field: RequestField | null
  metrics: GuardMetrics | null
  /** The clock (ms), performance.now() unless a test drives it. */
  now?: () => number
}

/** What the dashboard shows and its recommendations read (src/admin/dashboard/recommendations.ts). */
export interface OriginGuardStatus {
  limit: number
  inflight: number
  queued: number
  /** Shed in the last minute, by reason. */
  shedQueueFull: number
  shedQueueTimeout: number
}

/** The controller a handler gets for a request the origin never saw. */
class DetachedController implements Controller {
  aborted = false
  paused = false
  reason: Error | null = null
  abort (reason: Error): void { this.aborted = true; this.reason = reason }
  pause (): void {}
  resume (): void {}
}

/** One request waiting for an origin slot. */
class Waiter extends QueueNode {
  readonly guard: OriginGuard
  readonly opts: Opts
  readonly handler: Handler
  readonly request: FastifyRequest | null
  readonly since: number
  /** When it must have its slot: queue.timeout after it reached the sidecar. */
  readonly deadline: number
  socket: TrackedSocket | null = null

  constructor (guard: OriginGuard, lane: Lane, opts: Opts, handler: Handler, request: FastifyRequest | null, since: number,
    deadline: number) {
    super(lane)
    this.guard = guard
    this.opts = opts
    this.handler = handler
    this.request = request
    this.since = since
    this.deadline = deadline
  }
}

/** Drops the queued requests of a client connection that closed. One listener per connection. */
function dropQueued (this: TrackedSocket): void {
  const set = this[kQueued]
  if (set === undefined) return
  for (const w of set) w.guard.abandon(w)
  set.clear()
}

/** Releases the request's origin slot exactly once, when its response ended or failed. */
class GuardedHandler implements Handler {
  readonly #guard: OriginGuard
  readonly #next: Handler
  readonly #sentAt: number
  readonly #inflightAtSend: number
  #released = false

  constructor (guard: OriginGuard, next: Handler, inflightAtSend: number) {
    this.#guard = guard
    this.#next = next
    this.#sentAt = guard.now()
    this.#inflightAtSend = inflightAtSend
  }

  onRequestStart (controller: Controller, context: unknown): void { this.#next.onRequestStart?.(controller, context) }

  onRequestUpgrade (controller: Controller, statusCode: number, headers: Record<string, string | string[] | undefined>,
    socket: import('node:stream').Duplex): void {
    this.#release(true)
    this.#next.onRequestUpgrade?.(controller, statusCode, headers, socket)
  }

  onResponseStart (controller: Controller, statusCode: number, headers: Record<string, string | string[] | undefined>,
    statusMessage?: string): void {
    this.#next.onResponseStart?.(controller, statusCode, headers, statusMessage)
  }

  onResponseData (controller: Controller, chunk: Buffer): void { this.#next.onResponseData?.(controller, chunk) }

  onResponseEnd (controller: Controller, trailers: Record<string, string | string[] | undefined>): void {
    try {
      this.#next.onResponseEnd?.(controller, trailers)
    } finally {
      this.#release(true)
    }
  }

  onResponseError (controller: Controller, err: Error): void {
    try {
      this.#next.onResponseError?.(controller, err)
    } finally {
      // A client that went away says nothing about the origin's health.
      this.#release((err as Error & { code?: string }).code === 'SIPUP_CLIENT_GONE' ? null : false)
    }
  }

  #release (ok: boolean | null): void {
    if (this.#released) return
    this.#released = true
    this.#guard.release(ok === null ? -1 : this.#guard.now() - this.#sentAt, this.#inflightAtSend, ok === true)
  }
}

export class OriginGuard {
  readonly #o: OriginGuardOptions
  readonly #queue: LaneQueue<Waiter>
  readonly #sweepMs: number
  #dispatch: Dispatch | null = null
  #inflight = 0
  readonly #estimate: WaitEstimate
  readonly #timeoutMs: number
  readonly #headroomMs: number
  #timer: NodeJS.Timeout | null = null
  #closed = false
  readonly #recentFull = new RecentCount()
  readonly #recentTimeout = new RecentCount()

  constructor (opts: OriginGuardOptions) {
    this.#o = opts
    this.#queue = new LaneQueue(opts.weights)
    this.#estimate = new WaitEstimate(opts.weights)
    this.#timeoutMs = opts.queueTimeoutMs
    this.#headroomMs = opts.queueTimeoutMs * ADMIT_HEADROOM
    this.now = opts.now ?? (() => performance.now())
    this.#sweepMs = Math.max(MIN_SWEEP_MS, Math.min(MAX_SWEEP_MS, Math.floor(opts.queueTimeoutMs / 10)))
  }

  readonly now: () => number

  get inflight (): number { return this.#inflight }
  get limit (): number { return this.#o.limit.reported ?? this.#o.limit.current }
  get queued (): number { return this.#queue.size }
  depth (lane: Lane): number { return this.#queue.depth(lane) }

  status (): OriginGuardStatus {
    return {
      limit: this.limit,
      inflight: this.#inflight,
      queued: this.#queue.size,
      shedQueueFull: this.#recentFull.lastMinute,
      shedQueueTimeout: this.#recentTimeout.lastMinute
    }
  }

  /** The interceptor to register; composed once, innermost. */
  readonly interceptor: Dispatcher.DispatcherComposeInterceptor = dispatch => {
    this.#dispatch = dispatch
    return (opts: Opts, handler: Handler) => this.dispatch(opts, handler)
  }

  dispatch (opts: Opts, handler: Handler): boolean {
    // The usual case while the origin has room: one compare, one wrapper object.
    if (this.#inflight < this.#o.limit.current && this.#queue.size === 0) return this.#send(opts, handler)
    const request = opts[kSidecarRequest] ?? null
    const own = opts[kOriginLane]
    const resumed = request !== null && (request as FastifyRequest & OriginResumable)[kOriginResumed] === true
    const lane = resumed ? 0 : own === undefined ? this.#o.classify(opts, request) : laneIndex(own)
    const o = this.#o
    const now = this.now()
    // The clock runs from the request's arrival at the sidecar: time it already spent waiting for the origin (the
    // cache's context lookup waits in the high lane first) counts against the same queue.timeout.
    const deadline = Math.min(now, request?.sidecar.start ?? now) + this.#timeoutMs
    if (resumed ? now >= deadline : this.#wouldMiss(lane, deadline, now)) {
      // It would time out anyway: a 503 now rather than one after queue.timeout (or a slot it never gets).
      this.#shed(handler, request, lane, 'wait')
      return true
    }
    if (this.#queue.size >= o.queueSize) {
      const victim = this.#queue.victimFor(lane)
      if (victim === null) {
        // Nobody less important to make room: this one is shed (with queue.size 0, every one beyond the limit).
        this.#shed(handler, request, lane, 'full')
        return true
      }
      this.#unlink(victim)
      this.#shed(victim.handler, victim.request, victim.lane, 'evicted')
    }
    const w = new Waiter(this, lane, opts, handler, request, now, deadline)
    const socket = request?.raw.socket as TrackedSocket | undefined
    if (socket !== undefined && socket !== null) {
      if (socket.destroyed) {
        this.#gone(w)
        return true
      }
      let set = socket[kQueued]
      if (set === undefined) {
        set = new Set()
        socket[kQueued] = set
        socket.once('close', dropQueued)
      }
      set.add(w)
      w.socket = socket
    }
    this.#estimate.queued(lane, this.#queue.depth(lane) === 0, now)
    if (resumed) this.#queue.unshift(w)
    else this.#queue.push(w)
    if (request !== null) o.field?.set(request.sidecar, 'queued')
    // It goes before every less important waiting request: those that can no longer make it are told now.
    for (let l = lane + 1; l < LANES.length; l++) this.#judge(l as Lane, now)
    this.#arm()
    // The limit may have grown (maxConcurrent: auto) while others waited.
    if (this.#inflight < o.limit.current) this.#drain()
    return true
  }

  /** An origin request ended: send the next waiting one, if the limit allows. */
  release (rttMs: number, inflightAtSend: number, ok: boolean): void {
    this.#inflight--
    if (rttMs >= 0) {
      this.#estimate.answered(rttMs)
      this.#o.limit.sample?.(rttMs, inflightAtSend, ok)
    }
    this.#drain()
  }

  /** A queued request's client went away: it leaves the queue and never reaches the origin. */
  abandon (w: Waiter): void {
    if (!w.queued) return
    this.#remove(w)
    this.#gone(w)
  }

  close (): void {
    this.#closed = true
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
    // Whatever still waits at shutdown is answered now rather than cut off by the close deadline.
    for (let w = this.#queue.shift(); w !== null; w = this.#queue.shift()) {
      this.#untrack(w)
      this.#shed(w.handler, w.request, w.lane, 'timeout')
    }
  }

  #send (opts: Opts, handler: Handler): boolean {
    const at = ++this.#inflight
    try {
      return (this.#dispatch as Dispatch)(opts, new GuardedHandler(this, handler, at))
    } catch (err) {
      this.#inflight--
      throw err
    }
  }

  /** Whether a request joining `lane` now would not be answered (wait plus one slot time) ADMIT_HEADROOM before
   * `deadline`. */
  #wouldMiss (lane: Lane, deadline: number, now: number): boolean {
    if (now >= deadline) return true
    let ahead = 0
    for (let l = 0 as Lane; l <= lane; l = (l + 1) as Lane) ahead += this.#queue.depth(l)
    // The head of a queue may get the next slot any moment: only a request behind others is judged by the estimate.
    if (ahead === 0) return false
    const wait = this.#wait(lane, this.#queue.depth(lane), now, true)
    return wait > 0 && now + wait + this.#estimate.slotMs > deadline - this.#headroomMs
  }

  #wait (lane: Lane, position: number, now: number, stalled: boolean): number {
    // The limit to show, not a baseline probe's brief low one (maxConcurrent: auto).
    return this.#estimate.waitMs(lane, position, l => this.#queue.depth(l), this.limit, now, stalled)
  }

  /** Sheds, newest first, the requests of `lane` whose slot is now expected after their deadline; the head is left
   * to its timeout (the slot may free any moment). */
  #judge (lane: Lane, now: number): void {
    for (let w = this.#queue.newest(lane); w !== null && w.prev !== null; w = this.#queue.newest(lane)) {
      if (w.deadline > now) {
        const wait = this.#wait(lane, this.#queue.depth(lane) - 1, now, false)
        if (wait === 0 || now + wait <= w.deadline) return
      }
      this.#unlink(w)
      this.#shed(w.handler, w.request, w.lane, 'late')
    }
  }

  #drain (): void {
    while (this.#inflight < this.#o.limit.current) {
      const w = this.#queue.shift()
      if (w === null) return
      this.#untrack(w)
      const now = this.now()
      this.#estimate.sent(w.lane, this.#queue.depth(w.lane) > 0, now)
      const raw = w.request?.raw
      if (raw !== undefined && (raw.socket === null || raw.socket.destroyed)) {
        this.#gone(w)
        continue
      }
      this.#o.metrics?.waited(w.lane, (now - w.since) / 1000)
      try {
        this.#send(w.opts, w.handler)
      } catch (err) {
        const c = new DetachedController()
        w.handler.onRequestStart?.(c, {})
        w.handler.onResponseError?.(c, err as Error)
      }
    }
  }

  #remove (w: Waiter): void {
    this.#queue.remove(w)
    if (this.#queue.depth(w.lane) === 0) this.#estimate.emptied(w.lane)
  }

  #unlink (w: Waiter): void {
    this.#remove(w)
    this.#untrack(w)
  }

  #untrack (w: Waiter): void {
    w.socket?.[kQueued]?.delete(w)
    w.socket = null
  }

  #gone (w: Waiter): void {
    this.#untrack(w)
    this.#o.metrics?.abandoned(w.lane)
    if (w.request !== null) this.#o.field?.set(w.request.sidecar, 'client-gone')
    const c = new DetachedController()
    w.handler.onRequestStart?.(c, {})
    w.handler.onResponseError?.(c, CLIENT_GONE)
  }

  #shed (handler: Handler, request: FastifyRequest | null, lane: Lane, cause: ShedCause): void {
    const full = FULL_CAUSES.has(cause)
    const signal = full ? this.#o.signals.full : this.#o.signals.timeout
    ;(full ? this.#recentFull : this.#recentTimeout).add()
    this.#o.metrics?.shed(lane, signal.reason, cause)
    if (request !== null) this.#o.field?.set(request.sidecar, CAUSE_FIELD[cause])
    const c = new DetachedController()
    handler.onRequestStart?.(c, {})
    handler.onResponseError?.(c, signal)
  }

  /** Times out queued requests; runs only while something waits. */
  #arm (): void {
    if (this.#timer !== null || this.#closed) return
    this.#timer = setInterval(() => { this.#sweep() }, this.#sweepMs)
    this.#timer.unref()
  }

  #sweep (): void {
    const now = this.now()
    for (let lane = 0 as Lane; lane < 3; lane = (lane + 1) as Lane) {
      // FIFO: the oldest of each lane is at its head, and its deadline comes first (near enough: the deadlines run
      // from arrival at the sidecar, the order from arrival in the queue). Queued requests are not judged again here
      // for a slower pace: measured on the shared machine, a lag spike raised the estimate for a moment and most of
      // the requests shed for it would have made it (the queue's timeouts were 0 with or without); a more important
      // arrival, which really takes their slot, does judge them (dispatch).
      for (let w = this.#queue.oldest(lane); w !== null && w.deadline <= now; w = this.#queue.oldest(lane)) {
        this.#unlink(w)
        this.#shed(w.handler, w.request, w.lane, 'timeout')
      }
    }
    if (this.#queue.size === 0 && this.#timer !== null) {
      clearInterval(this.#timer)
      this.#timer = null
    }
  }
}
