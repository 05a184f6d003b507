// One object per proxied request, implementing undici's controller API (onRequestStart ... onResponseEnd):
// streams the origin's response to the client with backpressure both ways, and aborts the origin request when
// the client goes away. State lives in fields set in the constructor (stable shape), callbacks are prototype methods.
import { ServerResponse } from 'node:http'
import type { Dispatcher } from 'undici'
import type { FastifyRequest } from 'fastify'
import { forwardResponseHeaders } from './headers.js'
import { addResponseHeaders } from '../core/response-headers.js'
import { writeProblem } from '../core/problem.js'
import { BODY_TOO_LARGE, mapUpstreamError } from './upstream-errors.js'
import { busyAnswerOf } from './origin-guard/shed.js'
import type { CompressionPolicy } from './compression/decide.js'
import { ResponseEncoder } from './compression/encoder.js'

const CLIENT_GONE = Object.assign(new Error('client closed the connection'), { code: 'SIPUP_CLIENT_GONE' })
const kActive = Symbol('sipup.activeForwards')

type TrackedSocket = NonNullable<ServerResponse['socket']> & { [kActive]?: Set<ForwardHandler> }

/**
 * The client socket to cork from the head to the first body chunk of a fixed-length response, or null (HTTP/2: `res.socket` is the session's
 * socket, shared by every stream; a socket already corked). Node's res.write() corks on its own and uncorks on the
 * next tick; corking here instead makes the head and the first chunk one writev as soon as the chunk is in, without
 * the nextTick round (lib/_http_outgoing.js write_ skips its cork when the socket is corked already).
 */
function corkable (res: ServerResponse): TrackedSocket | null {
  if (!(res instanceof ServerResponse)) return null
  const socket = res.socket
  return socket === null || socket.writableCorked > 0 ? null : socket
}

/** Aborts the origin requests of a client connection that closed. One listener per connection, not one
 * closure per request: the per-request cost is a Set add and delete. */
function abortAll (this: TrackedSocket): void {
  const active = this[kActive]
  if (active === undefined) return
  for (const handler of active) handler.clientGone()
  active.clear()
}

export class ForwardHandler implements Dispatcher.DispatchHandler {
  readonly #request: FastifyRequest
  readonly #res: ServerResponse
  readonly #via: string | null
  readonly #sentAt: number
  #controller: Dispatcher.DispatchController | null = null
  #onDrain: (() => void) | null = null
  #socket: TrackedSocket | null = null
  readonly #compression: CompressionPolicy | null
  /** Set when this response is compressed (proxy.compression): the body goes through it instead of #res. */
  #encoder: ResponseEncoder | null = null
  /** The client socket corked in onResponseStart, until the first chunk (or the end) is written. */
  #corked: TrackedSocket | null = null

  constructor (request: FastifyRequest, res: ServerResponse, via: string | null, compression: CompressionPolicy | null) {
    this.#request = request
    this.#res = res
    this.#via = via
    this.#compression = compression
    this.#sentAt = performance.now()
  }

  onRequestStart (controller: Dispatcher.DispatchController): void {
    this.#controller = controller
    const res = this.#res
    if (res.destroyed) {
      controller.abort(CLIENT_GONE)
      return
    }
    const socket = res.socket as TrackedSocket | null
    if (socket === null) return
    let active = socket[kActive]
    if (active === undefined) {
      active = new Set()
      socket[kActive] = active
      socket.once('close', abortAll)
    }
    active.add(this)
    this.#socket = socket
  }

  /** The client connection closed before the response was complete. */
  clientGone (): void {
    const controller = this.#controller
    if (!this.#res.writableFinished && controller !== null && !controller.aborted) controller.abort(CLIENT_GONE)
  }

  onResponseStart (controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    // 1xx interim responses are not relayed (Node's server API can't forward arbitrary ones).
    if (statusCode < 200) return
    this.#request.sidecar.upstreamMs = performance.now() - this.#sentAt
    const res = this.#res
    if (res.destroyed) {
      controller.abort(CLIENT_GONE)
      return
    }
    res.statusCode = statusCode
    if (statusMessage !== undefined && statusMessage !== '') res.statusMessage = statusMessage
    const out = forwardResponseHeaders(headers, this.#via)
    addResponseHeaders(out, this.#request.sidecar.responseHeaders)
    // Pass-through compression (src/proxy/compression): the encoder writes the head and the body from here on.
    const decision = this.#compression?.decide(this.#request.raw.method, this.#request.raw.headers, statusCode, out) ?? null
    if (decision !== null) {
      this.#encoder = new ResponseEncoder(res, this.#request.log, (this.#compression as CompressionPolicy).params,
        statusCode, out, decision)
      return
    }
    // Not transformed: the origin's Content-Length (copied above) goes out as it came, so Node writes a fixed-length
    // response, never chunked; without one (the origin streamed chunked) Node chunks it to the client. Only a
    // fixed-length response is corked: its end() writes nothing, while a chunked one's terminator, when it comes in
    // the same tick as the last chunk, shares that chunk's writev only under Node's own cork until the next tick.
    const socket = out['content-length'] === undefined ? null : corkable(res)
    if (socket !== null) {
      socket.cork()
      this.#corked = socket
    }
    res.writeHead(statusCode, out)
  }

  onResponseData (controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#encoder !== null) { this.#encoder.write(controller, chunk); return }
    const more = this.#res.write(chunk)
    if (this.#corked !== null) this.#uncork()
    if (more) return
    controller.pause()
    if (this.#onDrain === null) this.#onDrain = () => { controller.resume() }
    this.#res.once('drain', this.#onDrain)
  }

  onResponseEnd (): void {
    this.#detach()
    if (this.#encoder !== null) this.#encoder.end()
    else this.#res.end()
    if (this.#corked !== null) this.#uncork()
  }

  onResponseError (_controller: Dispatcher.DispatchController, err: Error & { code?: string }): void {
    this.#detach()
    if (this.#corked !== null) this.#uncork()
    this.#encoder?.abort()
    if (err === CLIENT_GONE || err.code === 'SIPUP_CLIENT_GONE') return
    // Shed by origin protection: the origin never saw it, so it is no upstream error. An unread body (not all
    // received yet) means the connection can't be reused.
    const busy = busyAnswerOf(err)
    if (busy !== null) {
      busy.write(this.#res, this.#request.headers.accept, !this.#request.raw.complete, this.#request.sidecar.responseHeaders)
      return
    }
    const state = this.#request.sidecar
    const mapped = mapUpstreamError(err)
    state.upstreamError = err.code ?? err.name
    if (state.upstreamMs < 0) state.upstreamMs = performance.now() - this.#sentAt
    if (this.#res.headersSent) {
      this.#request.log.warn({ reqId: this.#request.id, err: { code: err.code, message: err.message } }, 'origin response aborted mid-body')
      this.#res.destroy()
      return
    }
    this.#request.log.warn({ reqId: this.#request.id, err: { code: err.code, message: err.message } }, 'origin request failed')
    // The rest of an oversized chunked upload is still on its way: close rather than read it, or keep-alive would
    // leave the connection active until the client gave up.
    writeProblem(this.#res, mapped, this.#request.headers.accept, { close: mapped === BODY_TOO_LARGE, headers: state.responseHeaders })
  }

  #uncork (): void {
    const socket = this.#corked as TrackedSocket
    this.#corked = null
    socket.uncork()
  }

  #detach (): void {
    this.#socket?.[kActive]?.delete(this)
  }
}
