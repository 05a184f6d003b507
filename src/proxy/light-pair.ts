// The request/reply pair the bypass (src/proxy/bypass.ts) hands the proxy hooks and forward() instead of Fastify's
// Request/Reply: the members the hooks use (audited in src/plugins/** and src/proxy/**), each as Fastify defines it,
// and nothing per request that a hit never reads (no child logger, no route lookup, no header object until a hook
// sets a header). `ip`, `host`, `hostname` and `protocol` are Fastify's own getters (lightRequestClass), so
// server.trustProxy applies exactly as on the Fastify route.
import { STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyBaseLogger } from 'fastify'
import type { RequestState } from '../core/types.js'
import type { ProxyReply, ProxyRequest } from './types.js'

/** The proxy route's config, as `request.routeOptions.config` gives it on the Fastify route. */
const ROUTE_OPTIONS = Object.freeze({ url: '/*', config: Object.freeze({ sidecarProxy: true, sidecarRoute: 'proxy' }) })

/** What every light pair of an app shares, built once at ready. */
export interface LightShared {
  readonly log: FastifyBaseLogger
  /** Fastify's request id generator (genReqId / requestIdHeader), so ids stay one sequence across both paths. */
  readonly genReqId: (req: IncomingMessage) => string
  readonly newState: () => RequestState
  /** This app's LightRequest subclass (lightRequestClass). */
  readonly Request: LightRequestClass
  /** An error a hook passed to reply.send(): the pipeline's error path (onError hooks, then the error answer). */
  readonly onSendError: (err: Error, reply: LightReply) => void
}

export class LightRequest implements ProxyRequest {
  readonly raw: IncomingMessage
  readonly headers: IncomingHttpHeaders
  readonly url: string
  readonly method: string
  readonly log: FastifyBaseLogger
  readonly sidecar: RequestState
  readonly routeOptions: typeof ROUTE_OPTIONS
  #id: string | null
  readonly #shared: LightShared
  // Installed on each app's subclass from Fastify's Request (lightRequestClass).
  declare readonly ip: string
  declare readonly host: string
  declare readonly hostname: string
  declare readonly protocol: 'http' | 'https'

  constructor (raw: IncomingMessage, shared: LightShared) {
    this.raw = raw
    this.headers = raw.headers
    this.url = raw.url as string
    this.method = raw.method as string
    this.log = shared.log
    this.sidecar = shared.newState()
    this.routeOptions = ROUTE_OPTIONS
    this.#id = null
    this.#shared = shared
  }

  /** Made on first read: most hits never log one. */
  get id (): string {
    return (this.#id ??= this.#shared.genReqId(this.raw))
  }

  get socket (): Socket {
    return this.raw.socket
  }
}

const GETTERS = ['ip', 'host', 'hostname', 'protocol'] as const

function findGetter (proto: object | null, name: string): (() => unknown) | null {
  for (let p = proto; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, name)
    if (d !== undefined) return typeof d.get === 'function' ? d.get : null
  }
  return null
}

/** The light request class of one app. */
export type LightRequestClass = new (raw: IncomingMessage, shared: LightShared) => LightRequest

/** A LightRequest subclass carrying this app's own `ip`/`host`/`hostname`/`protocol` getters (Fastify builds its
 * Request class per app, with server.trustProxy compiled into the getters' closure): per app, so two apps in one
 * process (tests, the CLI's doctor) never read each other's trusted proxies. null when a Fastify release lacks one
 * of them, so the caller keeps every request on Fastify's route. */
export function lightRequestClass (fastifyRequestProto: object): LightRequestClass | null {
  const found = GETTERS.map(name => findGetter(fastifyRequestProto, name))
  if (found.some(g => g === null)) return null
  class AppLightRequest extends LightRequest {}
  GETTERS.forEach((name, i) => {
    Object.defineProperty(AppLightRequest.prototype, name, { get: found[i] as () => unknown, configurable: true })
  })
  return AppLightRequest
}

type HeaderValue = string | number | string[]

export class LightReply implements ProxyReply {
  readonly raw: ServerResponse
  readonly request: LightRequest
  readonly log: FastifyBaseLogger
  #hijacked: boolean
  /** Headers set through header()/type(), written by send(); null until one is. */
  #headers: Record<string, HeaderValue> | null
  readonly #shared: LightShared

  constructor (raw: ServerResponse, request: LightRequest, shared: LightShared) {
    this.raw = raw
    this.request = request
    this.log = shared.log
    this.#hijacked = false
    this.#headers = null
    this.#shared = shared
  }

  get sent (): boolean {
    return this.#hijacked || this.raw.writableEnded
  }

  get hijacked (): boolean {
    return this.#hijacked
  }

  get statusCode (): number {
    return this.raw.statusCode
  }

  set statusCode (code: number) {
    this.raw.statusCode = code
  }

  hijack (): this {
    this.#hijacked = true
    return this
  }

  code (status: number): this {
    this.raw.statusCode = status
    return this
  }

  status (status: number): this {
    return this.code(status)
  }

  header (name: string, value: HeaderValue): this {
    const headers = this.#headers ??= {}
    const key = name.toLowerCase()
    const prev = headers[key]
    // As Fastify: Set-Cookie accumulates, every other name is replaced.
    if (key === 'set-cookie' && prev !== undefined) {
      headers[key] = (Array.isArray(prev) ? prev : [String(prev)]).concat(value as string | string[])
    } else {
      headers[key] = value
    }
    return this
  }

  headers (values: Readonly<Record<string, HeaderValue>>): this {
    for (const name of Object.keys(values)) this.header(name, values[name])
    return this
  }

  getHeader (name: string): HeaderValue | undefined {
    return this.#headers?.[name.toLowerCase()]
  }

  getHeaders (): Record<string, HeaderValue> {
    return { ...this.#headers }
  }

  hasHeader (name: string): boolean {
    return this.#headers?.[name.toLowerCase()] !== undefined
  }

  removeHeader (name: string): this {
    if (this.#headers !== null) this.#headers[name.toLowerCase()] = undefined as unknown as HeaderValue
    return this
  }

  type (contentType: string): this {
    return this.header('content-type', contentType)
  }

  /** Fastify's reply.send for what hooks send: strings, buffers, streams, JSON values and errors. */
  send (payload?: unknown): this {
    if (this.sent) {
      this.log.warn({ reqId: this.request.id }, 'Reply was already sent, did you forget to "return reply" in an async hook?')
      return this
    }
    if (payload instanceof Error) {
      this.#shared.onSendError(payload, this)
      return this
    }
    const headers = this.#headers ?? {}
    let body: string | Buffer | Uint8Array
    if (payload === undefined) {
      body = ''
    } else if (typeof payload === 'string') {
      headers['content-type'] ??= 'text/plain; charset=utf-8'
      body = payload
    } else if (payload instanceof Uint8Array) {
      headers['content-type'] ??= 'application/octet-stream'
      body = payload
    } else if (typeof (payload as { pipe?: unknown }).pipe === 'function') {
      headers['content-type'] ??= 'application/octet-stream'
      this.#writeHead(headers)
      ;(payload as NodeJS.ReadableStream).pipe(this.raw)
      return this
    } else {
      headers['content-type'] ??= 'application/json; charset=utf-8'
      body = JSON.stringify(payload)
    }
    headers['content-length'] ??= typeof body === 'string' ? Buffer.byteLength(body) : body.length
    this.#writeHead(headers)
    if (this.request.method === 'HEAD') this.raw.end()
    else this.raw.end(body)
    return this
  }

  /** The plugins' response headers (sendResponseHeaders on the Fastify route) join the reply's own; own names win. */
  #writeHead (headers: Record<string, HeaderValue>): void {
    const extra = this.request.sidecar.responseHeaders
    if (extra !== null) {
      for (let i = 0; i < extra.length; i += 2) if (headers[extra[i]] === undefined) headers[extra[i]] = extra[i + 1]
    }
    for (const name of Object.keys(headers)) if (headers[name] === undefined) delete headers[name]
    this.raw.writeHead(this.raw.statusCode, headers as OutgoingHttpHeaders)
  }
}

/** Fastify's default error answer (error-handler.js): the error's 4xx/5xx status, its headers, and
 * `{statusCode, code, error, message}` as JSON. */
export function sendErrorAnswer (reply: LightReply, err: Error & { statusCode?: number, status?: number, code?: string, headers?: Record<string, HeaderValue> }): void {
  if (reply.raw.headersSent) {
    reply.raw.destroy()
    return
  }
  let status = reply.statusCode >= 400 && reply.statusCode <= 599 ? reply.statusCode : 500
  if (err.headers !== undefined) reply.headers(err.headers)
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode <= 599) status = err.statusCode
  else if (err.status !== undefined && err.status >= 400 && err.status <= 599) status = err.status
  reply.code(status)
  if (!reply.hasHeader('content-type')) reply.type('application/json; charset=utf-8')
  reply.send(JSON.stringify({ statusCode: status, code: err.code, error: STATUS_CODES[status], message: err.message }))
}
