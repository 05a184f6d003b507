// One virtual user = one keep-alive connection (an undici Client, no pipelining) plus its cookies.
// Requests that come due while the previous one is still in flight wait in the user's own queue, and their latency
// still counts from the moment they were due.
import type { IncomingHttpHeaders } from 'node:http'
import { Client, type Dispatcher } from 'undici'
import { CookieJar } from './cookie-jar.js'
import { cacheDetail, cacheOutcome, errorKind, type CacheOutcome } from './outcome.js'
import { RequestPlan, type CompiledRequest, type PreparedRequest, type UserState } from './request-plan.js'
import type { Sample } from './recorder.js'

export interface ConnectionStats {
  /** Connections open now. */
  open: number
  connects: number
  connectErrors: number
  /** Set by the engine while the measured window is open: the `window` counters count only then. */
  measuring: boolean
  window: WindowConnections
}

/** What happened to connections inside the measured window: whether users arrived late (first connects), reconnected
 * (and why their previous connection ended), or failed to connect. In a steady window with keep-alive all are ~0. */
export interface WindowConnections {
  /** A user's first connection. */
  firstConnects: number
  /** A user connecting again after its previous connection ended. */
  reconnects: number
  connectErrors: number
  /** Connections that ended, by cause: the server closed or reset it, the client's request timeout (undici destroys a
   * connection whose answer is late), another client-side error. The run's own close at the end is not counted. */
  closedByServer: number
  closedByTimeout: number
  closedByError: number
  /** Idle past the server's Keep-Alive timeout (a think time longer than the server keeps connections). */
  closedIdle: number
}

export function emptyWindow (): WindowConnections {
  return { firstConnects: 0, reconnects: 0, connectErrors: 0, closedByServer: 0, closedByTimeout: 0, closedByError: 0, closedIdle: 0 }
}

export interface UserOptions {
  origin: string
  timeoutMs: number
  localAddress?: string
  stats: ConnectionStats
  onSample: (s: Sample) => void
}

export class VirtualUser implements UserState {
  readonly index: number
  loggedIn = false
  jar: CookieJar | null
  busy = false
  /** Intended send times of requests that came due while busy. */
  readonly backlog: number[] = []
  readonly #client: Client
  readonly #plan: RequestPlan
  readonly #onSample: (s: Sample) => void
  #loginPending: boolean
  #closed = false
  #retiring = false
  /** Has had a connection: the next one is a reconnect. */
  #connected = false

  constructor (index: number, plan: RequestPlan, opts: UserOptions) {
    this.index = index
    this.#plan = plan
    this.jar = plan.cookies ? new CookieJar() : null
    this.#loginPending = plan.logsIn(this)
    this.#onSample = opts.onSample
    this.#client = new Client(opts.origin, {
      pipelining: 1,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connectTimeout: opts.timeoutMs,
      // Idle virtual users think for seconds: keep their connection as long as the server allows.
      keepAliveTimeout: 600_000,
      keepAliveMaxTimeout: 600_000,
      ...(opts.localAddress === undefined ? {} : { localAddress: opts.localAddress })
    })
    const stats = opts.stats
    this.#client.on('connect', () => {
      stats.open++
      stats.connects++
      if (stats.measuring) {
        if (this.#connected) stats.window.reconnects++
        else stats.window.firstConnects++
      }
      this.#connected = true
    })
    this.#client.on('disconnect', (_origin, _targets, err: Error) => {
      stats.open--
      if (stats.measuring && !this.#closed) countClose(stats.window, err)
    })
    this.#client.on('connectionError', () => {
      stats.connectErrors++
      if (stats.measuring) stats.window.connectErrors++
    })
  }

  get closed (): boolean {
    return this.#closed
  }

  /** Sends the request due at `intended` now, or queues it behind the one in flight. `done` runs once per request. */
  due (intended: number, done: () => void): void {
    if (this.#closed) return
    if (this.busy) {
      this.backlog.push(intended)
      return
    }
    this.#send(intended, done)
  }

  /** Stops after the request in flight, if any (a ramp going down). */
  retire (): void {
    this.#retiring = true
    this.backlog.length = 0
    if (!this.busy) void this.close()
  }

  get retiring (): boolean {
    return this.#retiring
  }

  /** Resolves once every request in flight has been failed and reported. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.backlog.length = 0
    await this.#client.destroy().catch(() => {})
  }

  #send (intended: number, done: () => void): void {
    this.busy = true
    const compiled: CompiledRequest = this.#loginPending && this.#plan.login !== null ? this.#plan.login : this.#plan.next(this)
    const isLogin = compiled === this.#plan.login
    const req = RequestPlan.prepare(compiled, this)
    const handler = new SampleHandler(this, req, intended, isLogin, (s: Sample) => {
      this.busy = false
      this.#onSample(s)
      if (this.#retiring) void this.close()
      done()
      const next = this.backlog.shift()
      if (next !== undefined && !this.#closed) this.#send(next, done)
    })
    try {
      this.#client.dispatch({
        path: req.path,
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body
      }, handler)
    } catch (err) {
      handler.onResponseError(null, err as Error)
    }
  }

  /** Called by the handler once a response arrived. */
  afterResponse (isLogin: boolean, ok: boolean, headers: IncomingHttpHeaders): void {
    if (this.jar !== null) this.jar.store(headers['set-cookie'])
    if (isLogin) {
      this.#loginPending = false
      this.loggedIn = ok
    }
  }
}

/** Why a connection ended, from the error undici reports with 'disconnect'. */
function countClose (w: WindowConnections, err: Error & { code?: string }): void {
  // undici's informational closes: 'socket idle timeout' (idle past the server's Keep-Alive: timeout hint), 'reset'
  // (the answer said Connection: close, or keep-alive ended).
  if (err.code === 'UND_ERR_INFO') {
    if (/idle/.test(err.message)) w.closedIdle++
    else w.closedByServer++
    return
  }
  const kind = errorKind(err)
  // UND_ERR_SOCKET 'other side closed' and resets: the server ended it.
  if (kind === 'reset') w.closedByServer++
  else if (kind === 'timeout') w.closedByTimeout++
  else w.closedByError++
}

/** One object per request (undici's handler controller API); fields set once, in the constructor. */
class SampleHandler implements Dispatcher.DispatchHandler {
  readonly #user: VirtualUser
  readonly #req: PreparedRequest
  readonly #intended: number
  readonly #sent: number
  readonly #isLogin: boolean
  readonly #finish: (s: Sample) => void
  #status = 0
  #cache: CacheOutcome = 'none'
  #detail = ''
  #done = false

  constructor (user: VirtualUser, req: PreparedRequest, intended: number, isLogin: boolean, finish: (s: Sample) => void) {
    this.#user = user
    this.#req = req
    this.#sent = performance.now()
    // Timers take whole milliseconds and may fire a fraction early: never count a request as sent before it was due.
    this.#intended = Math.min(intended, this.#sent)
    this.#isLogin = isLogin
    this.#finish = finish
  }

  onRequestStart (): void {}

  onResponseStart (_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return
    this.#status = statusCode
    this.#cache = cacheOutcome(headers)
    this.#detail = cacheDetail(headers)
    this.#user.afterResponse(this.#isLogin, this.#isOk(statusCode), headers)
  }

  onResponseData (): void {}

  onResponseEnd (): void {
    this.#complete(null)
  }

  onResponseError (_controller: Dispatcher.DispatchController | null, err: Error): void {
    // undici is still failing its queue when it calls this (it asserts the queue is empty afterwards):
    // the next request of this user must be dispatched after it returns.
    queueMicrotask(() => this.#complete(err))
  }

  #isOk (status: number): boolean {
    return this.#req.expect === null ? status < 400 : this.#req.expect.has(status)
  }

  #complete (err: Error | null): void {
    if (this.#done) return
    this.#done = true
    const status = err === null ? this.#status : 0
    this.#finish({
      name: this.#req.name,
      intended: this.#intended,
      sent: this.#sent,
      end: performance.now(),
      status,
      ok: err === null && this.#isOk(status),
      // Closed by the run itself: the drain deadline passed, so the request did not finish in time.
      error: err === null ? null : (this.#user.closed ? 'timeout' : errorKind(err)),
      cache: err === null ? this.#cache : 'none',
      detail: err === null ? this.#detail : ''
    })
  }
}
