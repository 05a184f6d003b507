// The proxy route: one catch-all route for every method. Its handler hijacks the reply and sends the request to
// the origin through undici's dispatch() with a ForwardHandler; the response streams back, and Fastify's reply
// machinery stays off the hot path. Request bodies are read completely first (src/proxy/body-buffer.ts) unless
// proxy.requestBuffering is off or the path is in proxy.streamPaths, where they stream as they arrive. Plugins hook
// this route through sidecar.addProxyHook(); the composition root hands the ordered hooks in.
// Requests that reach the server's listener skip Fastify's router and take the same hooks and forward() through the
// bypass (src/proxy/bypass.ts); the route below serves app.inject() and whatever the bypass leaves to Fastify.
// Why not @fastify/http-proxy: it measured ~0.6x of this path on the same machine (see README, "Performance");
// we don't need its WebSocket or rewrite support in front of a PHP shop.
import type http from 'node:http'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { pipeline } from 'node:stream'
import type { FastifyInstance, FastifyPluginAsync, HTTPMethods, onResponseHookHandler } from 'fastify'
import type { Dispatcher } from 'undici'
import type { CoreConfig } from '../config/core-schema.js'
import { AddressList } from '../config/address-list.js'
import { writeProblem, type Problem } from '../core/problem.js'
import { sendResponseHeaders } from '../core/response-headers.js'
import type { RequestFront } from '../core/http-server.js'
import type { HookSet } from '../core/sidecar.js'
import type { ProxyHookHandlers, RequestState } from '../core/types.js'
import { kPeer, kSidecarRequest } from '../symbols.js'
import { BodyLimit } from './body-limit.js'
import { ForwardHandler } from './forward-handler.js'
import { buildRequestHeaderPlan, forwardRequestHeaders, type ForwardedFor, type RequestHeaderPlan } from './headers.js'
import { BODY_TOO_LARGE } from './upstream-errors.js'
import { CLIENT_GONE, TOO_MANY_UPLOADS, UploadSlots, bufferBody, type BufferLimits } from './body-buffer.js'
import { compileStreamPaths } from './stream-paths.js'
import { CompressionPolicy } from './compression/decide.js'
import { FastifyPaths, ProxyBypass } from './bypass.js'
import { lightRequestClass } from './light-pair.js'
import type { ProxyReply, ProxyRequest } from './types.js'

/** Dispatch options carry the request (Fastify's or the bypass's) under kSidecarRequest so interceptors can read
 * per-request state. */
export interface SidecarDispatchOptions extends Dispatcher.DispatchOptions {
  [kSidecarRequest]: ProxyRequest
}

interface ProxyContext {
  dispatcher: Dispatcher | null
  readonly origin: string
  readonly basePath: string
  readonly plan: RequestHeaderPlan
  readonly trust: AddressList
  readonly maxBody: number
  readonly via: string | null
  /** null when proxy.requestBuffering is off. */
  readonly buffering: BufferLimits | null
  /** URLs that stream despite buffering (proxy.streamPaths), or null. */
  readonly streams: ((url: string) => boolean) | null
  readonly uploads: UploadSlots
  /** null when proxy.compression is off. */
  readonly compression: CompressionPolicy | null
}

function hasBody (headers: http.IncomingHttpHeaders): boolean {
  const len = headers['content-length']
  return headers['transfer-encoding'] !== undefined || (len !== undefined && len !== '0')
}

/** The peer and whether it is a trusted proxy, decided once per client connection (parsing CIDRs per request costs). */
function peerOf (ctx: ProxyContext, socket: Socket & { [kPeer]?: ForwardedFor }): ForwardedFor {
  let peer = socket[kPeer]
  if (peer === undefined) {
    const address = socket.remoteAddress ?? ''
    // The sidecar terminating TLS itself: the origin must build https:// URLs (an h2 stream's socket proxies the TLS one).
    peer = { peer: address, trusted: ctx.trust.has(address), proto: (socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http' }
    socket[kPeer] = peer
  }
  return peer
}

function forward (ctx: ProxyContext, request: ProxyRequest, reply: ProxyReply): void {
  const raw = request.raw
  const res = reply.raw
  reply.hijack()
  let body: Dispatcher.DispatchOptions['body'] = null
  const state = request.sidecar
  if (state.body !== null) {
    body = state.body
  } else if (hasBody(raw.headers)) {
    const len = raw.headers['content-length']
    if (ctx.maxBody > 0 && len !== undefined && Number(len) > ctx.maxBody) {
      // Don't read a body we are going to refuse; closing is cheaper than draining it.
      writeProblem(res, BODY_TOO_LARGE, raw.headers.accept, { close: true, headers: state.responseHeaders })
      return
    }
    if (ctx.buffering !== null && (ctx.streams === null || !ctx.streams(raw.url ?? '/'))) {
      bufferThenDispatch(ctx, request, res, ctx.buffering)
      return
    }
    body = ctx.maxBody > 0 && len === undefined
      ? pipeline(raw, new BodyLimit(ctx.maxBody), () => { /* errors surface through undici's onResponseError */ })
      : raw
  }
  dispatch(ctx, request, res, body, null)
}

/** Reads the whole body (proxy.requestBuffering), then forwards it: no origin connection is held while it arrives. */
function bufferThenDispatch (ctx: ProxyContext, request: ProxyRequest, res: http.ServerResponse, limits: BufferLimits): void {
  const ip = request.ip
  const accept = request.raw.headers.accept
  if (!ctx.uploads.acquire(ip)) {
    writeProblem(res, TOO_MANY_UPLOADS, accept, { close: true, headers: request.sidecar.responseHeaders })
    return
  }
  bufferBody(request.raw, limits).then(buffered => {
    ctx.uploads.release(ip)
    // Closes the temp file whatever happens to the origin request (an unread stream would keep its fd).
    res.once('close', buffered.dispose)
    if (res.destroyed) {
      buffered.dispose()
      return
    }
    dispatch(ctx, request, res, buffered.body, buffered.length)
  }, (outcome: Problem | typeof CLIENT_GONE) => {
    ctx.uploads.release(ip)
    // The rest of the body is unread: close instead of draining a slow client.
    if (outcome !== CLIENT_GONE) writeProblem(res, outcome, accept, { close: true, headers: request.sidecar.responseHeaders })
    else res.destroy()
  })
}

function dispatch (ctx: ProxyContext, request: ProxyRequest, res: http.ServerResponse, body: Dispatcher.DispatchOptions['body'],
  length: number | null): void {
  const raw = request.raw
  const headers = forwardRequestHeaders(raw.headers, ctx.plan, peerOf(ctx, raw.socket))
  // A buffered chunked upload has a known length now: send it as such (PHP sees CONTENT_LENGTH, not chunked).
  if (length !== null && raw.headers['content-length'] === undefined) headers.push('content-length', String(length))
  const opts: SidecarDispatchOptions = {
    origin: ctx.origin,
    path: ctx.basePath === '' ? raw.url ?? '/' : ctx.basePath + (raw.url ?? '/'),
    method: raw.method as Dispatcher.HttpMethod,
    headers,
    body,
    [kSidecarRequest]: request
  }
  ;(ctx.dispatcher as Dispatcher).dispatch(opts, new ForwardHandler(request, res, ctx.via, ctx.compression))
}

export interface ProxyPluginOptions {
  config: CoreConfig
  /** The plugins' proxy hooks, ordered (src/core/sidecar.ts takeProxyHooks). */
  hooks: HookSet<ProxyHookHandlers>
  /** The server listener's front (src/core/http-server.ts): the bypass goes there at ready; null keeps every
   * request on the Fastify route. */
  front?: RequestFront | null
  /** The paths of every other route (admin, route groups, plugins' routes): those stay with Fastify. */
  paths?: FastifyPaths
  /** The app scope's onResponse hooks, which run on this route too (the access log). */
  appOnResponse?: readonly onResponseHookHandler[]
  /** The core's `request.sidecar` for a request Fastify never saw (SidecarApp.newRequestState). */
  newRequestState?: (route: string) => RequestState
}

/** A Fastify internal of `fastify`'s scope, found by its symbol's description (null when a release renames it). */
function fastifyInternal (fastify: FastifyInstance, description: string): unknown {
  for (let o: object | null = fastify; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const sym = Object.getOwnPropertySymbols(o).find(s => s.description === description)
    if (sym !== undefined) return (o as Record<symbol, unknown>)[sym]
  }
  return null
}

const REQUEST_PHASES = ['onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend', 'onResponse',
  'onError', 'onTimeout', 'onRequestAbort']

/** A Fastify hook some plugin added to the app scope (fastify.addHook in an fp plugin), which would run on the proxy
 * route and which the bypass does not know to run; null when there is none. */
function unknownScopeHook (fastify: FastifyInstance): string | null {
  const hooks = fastifyInternal(fastify, 'fastify.hooks') as Record<string, unknown> | null
  if (hooks === null) return 'fastify.hooks (not found)'
  for (const phase of REQUEST_PHASES) {
    const list = hooks[phase]
    if (!Array.isArray(list)) return `${phase} (not found)`
    for (const fn of list as { name?: string }[]) {
      // By identity, not by name: the core marks the hooks the bypass reproduces itself (HSTS, the access log).
      if (!fastify.sidecar.isReproducedOnBypass(fn)) return `${phase} hook '${fn.name === undefined || fn.name === '' ? 'anonymous' : fn.name}'`
    }
  }
  return null
}

/** The bypass, or null when this Fastify release lacks what it borrows (then Fastify's route serves everything). */
function createBypass (fastify: FastifyInstance, ctx: ProxyContext, opts: ProxyPluginOptions, methods: readonly string[]): ProxyBypass | null {
  const requestClass = fastifyInternal(fastify, 'fastify.Request') as { prototype?: object } | null
  const genReqId = (fastify as unknown as { genReqId?: unknown }).genReqId
  const Request = requestClass?.prototype === undefined ? null : lightRequestClass(requestClass.prototype)
  if (Request === null || typeof genReqId !== 'function') {
    fastify.log.warn('proxy: this Fastify release lacks what the proxy bypass reuses; proxied requests go through Fastify\'s router')
    return null
  }
  const foreign = unknownScopeHook(fastify)
  if (foreign !== null) {
    // Proxy-path hooks belong in sidecar.addProxyHook(); keep such a plugin working, on the slower path.
    fastify.log.warn({ hook: foreign }, 'proxy: a Fastify hook outside sidecar.addProxyHook() applies to the proxy route; proxied requests go through Fastify\'s router')
    return null
  }
  const newState = opts.newRequestState as (route: string) => RequestState
  return new ProxyBypass({
    app: fastify,
    hooks: opts.hooks,
    appOnResponse: opts.appOnResponse ?? [],
    methods,
    paths: opts.paths ?? new FastifyPaths(),
    shared: {
      log: fastify.log,
      genReqId: genReqId.bind(fastify) as (req: http.IncomingMessage) => string,
      newState: () => newState('proxy'),
      Request
    },
    forward: (request, reply) => { forward(ctx, request, reply) }
  })
}

const proxyPlugin: FastifyPluginAsync<ProxyPluginOptions> = async (fastify, opts) => {
  const { config, hooks } = opts
  const upstreamUrl = new URL(config.upstream.url)
  const ctx: ProxyContext = {
    dispatcher: null,
    origin: upstreamUrl.origin,
    basePath: upstreamUrl.pathname.replace(/\/+$/, ''),
    plan: buildRequestHeaderPlan({
      dropRequestHeaders: config.proxy.dropRequestHeaders,
      xForwarded: config.proxy.xForwarded,
      forwardHost: config.proxy.forwardHost,
      hostOverride: config.upstream.preserveHost ? null : upstreamUrl.host
    }),
    trust: new AddressList(config.server.trustProxy),
    maxBody: config.proxy.maxRequestBody,
    via: config.proxy.via === '' ? null : `1.1 ${config.proxy.via}`,
    buffering: config.proxy.requestBuffering
      ? {
          memory: config.proxy.bufferMemory,
          max: config.proxy.maxRequestBody,
          dir: config.proxy.bufferDir === '' ? tmpdir() : config.proxy.bufferDir,
          idleMs: config.proxy.bodyTimeout,
          minRate: config.proxy.bodyMinRate
        }
      : null,
    streams: compileStreamPaths(config.proxy.streamPaths),
    uploads: new UploadSlots(config.proxy.maxUploadsPerIp),
    compression: CompressionPolicy.create(config.proxy.compression)
  }
  // Every method the app knows (the composition root added all of Node's) except CONNECT, which is no request for
  // a path of the site.
  const methods = fastify.supportedMethods.filter(m => m !== 'CONNECT') as HTTPMethods[]
  fastify.addHook('onReady', async () => {
    ctx.dispatcher = fastify.sidecar.upstream
    const front = opts.front ?? null
    if (front !== null && opts.newRequestState !== undefined) front.handle = createBypass(fastify, ctx, opts, methods)?.handle ?? null
  })

  // Bodies reach the origin untouched (buffered or streamed by forward()): no parser may consume them.
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', function passThrough (_req, _payload, done) { done(null) })

  fastify.route({
    method: methods,
    url: '/*',
    config: { sidecarProxy: true, sidecarRoute: 'proxy' },
    ...hooks,
    // Answers sent through Fastify (a limiter's 429, an error) get the plugins' response headers here; the
    // hijacked writers (forward, the cache) add them themselves.
    onSend: sendResponseHeaders,
    handler: function proxyHandler (request, reply) { forward(ctx, request, reply) }
  })
}

export default proxyPlugin
