// The proxy route without Fastify's router (issue 18): the server's request listener (src/core/http-server.ts,
// RequestFront) gives every request for the proxy to ProxyBypass.handle, which runs the proxy hooks in their
// declared order (onRequest, then preHandler), then forward(), on a light request/reply pair (light-pair.ts).
// Fastify keeps everything else: the admin, the route groups, any route a plugin registered, and requests whose
// routing the bypass does not decide itself (percent-encoded paths, unusual methods). app.inject() never passes the
// listener, so injected requests still take the Fastify proxy route: both paths run the same hooks and forward().
// The hook runner copies Fastify's (lib/hooks.js): a hook may call `done`, return a promise, or answer and stop
// the chain (reply.send, reply.hijack); an error goes through the onError hooks to Fastify's default error answer.
import type http from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest, onResponseHookHandler } from 'fastify'
import type { HookSet } from '../core/sidecar.js'
import type { ProxyHookHandlers } from '../core/types.js'
import { kProxyRun } from '../symbols.js'
import { LightReply, LightRequest, sendErrorAnswer, type LightShared } from './light-pair.js'

type Done = (err?: Error) => void
type Hook = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply, done: Done) => unknown
type ErrorHook = (this: FastifyInstance, request: FastifyRequest, reply: FastifyReply, error: Error, done: Done) => unknown
type Forward = (request: LightRequest, reply: LightReply) => void

/** Paths of the routes Fastify must keep: exact static paths, and the static heads of parametric/wildcard ones. */
export class FastifyPaths {
  readonly #exact = new Set<string>()
  readonly #heads: string[] = []

  add (url: string): void {
    const dynamic = url.search(/[:*]/)
    if (dynamic === -1) this.#exact.add(url)
    else if (!this.#heads.includes(url.slice(0, dynamic))) this.#heads.push(url.slice(0, dynamic))
  }

  /** A prefix every path under it belongs to Fastify (the admin, a route group). */
  addPrefix (prefix: string): void {
    this.#exact.add(prefix)
    this.add(`${prefix}/*`)
  }

  has (path: string): boolean {
    if (this.#exact.has(path)) return true
    const heads = this.#heads
    for (let i = 0; i < heads.length; i++) if (path.startsWith(heads[i])) return true
    return false
  }
}

export interface BypassOptions {
  app: FastifyInstance
  hooks: HookSet<ProxyHookHandlers>
  /** Fastify's onResponse hooks of the app scope that also ran on the proxy route (the access log), first. */
  appOnResponse: readonly onResponseHookHandler[]
  /** Methods the proxy route serves. */
  methods: readonly string[]
  paths: FastifyPaths
  shared: Omit<LightShared, 'onSendError'>
  forward: Forward
}

/** One request's hook run: every field set here (stable shape); callbacks are prototype methods bound once. */
class ProxyRun {
  readonly bypass: ProxyBypass
  readonly request: LightRequest
  readonly reply: LightReply
  /** The phase's hooks, its position, and which phase (0 onRequest, 1 preHandler, 2 onError, 3 onResponse). */
  list: readonly Hook[] | null
  index: number
  phase: number
  error: Error | null
  #next: Done | null
  #resolved: (() => void) | null
  #rejected: ((err: unknown) => void) | null

  constructor (bypass: ProxyBypass, request: LightRequest, reply: LightReply) {
    this.bypass = bypass
    this.request = request
    this.reply = reply
    this.list = null
    this.index = 0
    this.phase = 0
    this.error = null
    this.#next = null
    this.#resolved = null
    this.#rejected = null
  }

  start (phase: number, list: readonly Hook[]): void {
    this.phase = phase
    this.list = list
    this.index = 0
    this.step(undefined)
  }

  get next (): Done {
    return (this.#next ??= this.step.bind(this))
  }

  step (err: Error | undefined): void {
    const list = this.list as readonly Hook[]
    if (err !== undefined && err !== null) { this.end(err); return }
    if (this.index === list.length) { this.end(undefined); return }
    // onRequest/preHandler stop as soon as a hook answered (Fastify's hookIterator).
    if (this.phase < 2 && this.reply.sent) return
    const fn = list[this.index++]
    const app = this.bypass.app
    let result: unknown
    try {
      result = this.phase === 2
        ? (fn as unknown as ErrorHook).call(app, this.request as unknown as FastifyRequest, this.reply as unknown as FastifyReply, this.error as Error, this.next)
        : fn.call(app, this.request as unknown as FastifyRequest, this.reply as unknown as FastifyReply, this.next)
    } catch (thrown) {
      this.end(thrown as Error)
      return
    }
    if (typeof (result as { then?: unknown } | null)?.then === 'function') {
      (result as Promise<unknown>).then(this.#resolved ??= () => { this.step(undefined) },
        this.#rejected ??= (e: unknown) => { this.end(e === undefined || e === null ? new Error('a hook rejected without an error') : e as Error) })
    }
  }

  /** A phase ended (`err` when a hook failed). */
  end (err: Error | undefined): void {
    const b = this.bypass
    if (this.phase === 3) return
    if (this.phase === 2) { sendErrorAnswer(this.reply, this.error as Error); return }
    // As Fastify: a hijacked reply owns the response, even when a hook failed after hijacking it.
    if (this.reply.hijacked) return
    if (err !== undefined) { this.fail(err); return }
    if (this.reply.sent) return
    if (this.phase === 0 && b.preHandler !== null) { this.start(1, b.preHandler); return }
    b.forward(this.request, this.reply)
  }

  fail (err: Error): void {
    const onError = this.bypass.onError
    this.error = err
    if (onError === null) { sendErrorAnswer(this.reply, err); return }
    this.start(2, onError)
  }
}

/** `res` finished (or failed): the onResponse hooks, once. */
function onFinished (this: http.ServerResponse & { [kProxyRun]?: ProxyRun }): void {
  this.removeListener('finish', onFinished)
  this.removeListener('error', onFinished)
  // A run of its own: a hook of the request's run may still be pending (an async hook that answered, then resolves).
  const run = this[kProxyRun] as ProxyRun
  new ProxyRun(run.bypass, run.request, run.reply).start(3, run.bypass.onResponse as readonly Hook[])
}

export class ProxyBypass {
  readonly app: FastifyInstance
  readonly onRequest: readonly Hook[] | null
  readonly preHandler: readonly Hook[] | null
  readonly onError: readonly Hook[] | null
  readonly onResponse: readonly Hook[] | null
  readonly forward: Forward
  readonly #methods: ReadonlySet<string>
  readonly #paths: FastifyPaths
  readonly #shared: LightShared
  /** The listener RequestFront calls, bound once. */
  readonly handle: (req: http.IncomingMessage, res: http.ServerResponse) => boolean

  constructor (opts: BypassOptions) {
    const h = opts.hooks
    this.app = opts.app
    // Decided here: null means the phase has nothing to run (as fastify/lib/route.js does).
    this.onRequest = nonEmpty(h.onRequest as Hook[] | undefined)
    this.preHandler = nonEmpty(h.preHandler as Hook[] | undefined)
    this.onError = nonEmpty(h.onError as unknown as Hook[] | undefined)
    // Fastify's phase handler types differ only in what they promise to return; the runner calls them alike.
    this.onResponse = nonEmpty([...opts.appOnResponse, ...h.onResponse ?? []] as unknown as Hook[])
    this.forward = opts.forward
    this.#methods = new Set(opts.methods)
    this.#paths = opts.paths
    this.#shared = { ...opts.shared, onSendError: (err, reply) => { this.#sendError(err, reply) } }
    this.handle = this.#handle.bind(this)
  }

  #handle (req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if (!this.#methods.has(req.method as string)) return false
    const url = req.url as string
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    // Fastify's router decodes percent-escapes before matching (and answers bad ones 400): leave those to it.
    if (path.charCodeAt(0) !== 47 || path.includes('%') || this.#paths.has(path)) return false
    const shared = this.#shared
    const request = new shared.Request(req, shared)
    const reply = new LightReply(res, request, shared)
    if (this.onResponse === null && this.onRequest === null && this.preHandler === null) {
      this.forward(request, reply)
      return true
    }
    const run = new ProxyRun(this, request, reply)
    if (this.onResponse !== null) {
      (res as http.ServerResponse & { [kProxyRun]?: ProxyRun })[kProxyRun] = run
      res.on('finish', onFinished)
      res.on('error', onFinished)
    }
    if (this.onRequest !== null) run.start(0, this.onRequest)
    else if (this.preHandler !== null) run.start(1, this.preHandler)
    else this.forward(request, reply)
    return true
  }

  /** reply.send(error) from a hook. */
  #sendError (err: Error, reply: LightReply): void {
    const run = new ProxyRun(this, reply.request, reply)
    run.fail(err)
  }
}

function nonEmpty<T> (list: readonly T[] | undefined): readonly T[] | null {
  return list === undefined || list.length === 0 ? null : list
}
