// The proxy route: one catch-all route for every method. Its handler hijacks the reply and streams the request to
// the origin through undici's dispatch() with a ForwardHandler, so nothing is buffered and Fastify's reply
// machinery stays off the hot path. Plugins hook this route in onRoute (config.sidecarProxy === true).
// Why not @fastify/http-proxy: it measured ~0.6x of this path on the same machine (see README, "Performance");
// we don't need its WebSocket or rewrite support in front of a PHP shop.
import http from 'node:http'
import type { Socket } from 'node:net'
import { pipeline } from 'node:stream'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { Dispatcher } from 'undici'
import proxyAddr from '@fastify/proxy-addr'
import type { FrozenConfig } from '../config/schema.js'
import { kPeer, kSidecarRequest } from '../symbols.js'
import { BodyLimit } from './body-limit.js'
import { sendError } from './error-response.js'
import { ForwardHandler } from './forward-handler.js'
import { buildRequestHeaderPlan, forwardRequestHeaders, type ForwardedFor, type RequestHeaderPlan } from './headers.js'
import { BODY_TOO_LARGE } from './upstream-errors.js'

/** Dispatch options carry the FastifyRequest under kSidecarRequest so interceptors can read per-request state. */
export interface SidecarDispatchOptions extends Dispatcher.DispatchOptions {
  [kSidecarRequest]: FastifyRequest
}

interface ProxyContext {
  dispatcher: Dispatcher | null
  readonly origin: string
  readonly basePath: string
  readonly plan: RequestHeaderPlan
  readonly trust: (addr: string, i: number) => boolean
  readonly maxBody: number
  readonly via: string | null
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
    peer = { peer: address, trusted: ctx.trust(address, 0), proto: 'http' }
    socket[kPeer] = peer
  }
  return peer
}

function forward (ctx: ProxyContext, request: FastifyRequest, reply: FastifyReply): void {
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
      res.setHeader('connection', 'close')
      sendError(res, BODY_TOO_LARGE.status, BODY_TOO_LARGE.code, raw.headers.accept)
      return
    }
    body = ctx.maxBody > 0 && len === undefined
      ? pipeline(raw, new BodyLimit(ctx.maxBody), () => { /* errors surface through undici's onResponseError */ })
      : raw
  }
  const headers = forwardRequestHeaders(raw.headers, ctx.plan, peerOf(ctx, raw.socket))
  const opts: SidecarDispatchOptions = {
    origin: ctx.origin,
    path: ctx.basePath === '' ? raw.url ?? '/' : ctx.basePath + (raw.url ?? '/'),
    method: raw.method as Dispatcher.HttpMethod,
    headers,
    body,
    [kSidecarRequest]: request
  }
  ;(ctx.dispatcher as Dispatcher).dispatch(opts, new ForwardHandler(request, res, ctx.via))
}

/** Every method Node's parser knows, so WebDAV and PURGE requests reach the origin (or a plugin) too. */
function proxiedMethods (supported: Set<string>, add: (m: string) => void): string[] {
  for (const m of http.METHODS) {
    if (m !== 'CONNECT' && !supported.has(m)) add(m)
  }
  return http.METHODS.filter(m => m !== 'CONNECT')
}

export interface ProxyPluginOptions {
  config: FrozenConfig
}

const proxyPlugin: FastifyPluginAsync<ProxyPluginOptions> = async (fastify, { config }) => {
  const upstreamUrl = new URL(config.upstream.url)
  const ctx: ProxyContext = {
    dispatcher: null,
    origin: upstreamUrl.origin,
    basePath: upstreamUrl.pathname.replace(/\/+$/, ''),
    plan: buildRequestHeaderPlan({
      dropRequestHeaders: config.proxy.dropRequestHeaders,
      xForwarded: config.proxy.xForwarded,
      hostOverride: config.upstream.preserveHost ? null : upstreamUrl.host
    }),
    trust: proxyAddr.compile([...config.server.trustProxy]),
    maxBody: config.proxy.maxRequestBody,
    via: config.proxy.via === '' ? null : `1.1 ${config.proxy.via}`
  }
  fastify.addHook('onReady', async () => { ctx.dispatcher = fastify.sidecar.upstream })

  // Bodies are streamed to the origin untouched: no parser may consume them.
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', function passThrough (_req, _payload, done) { done(null) })

  const methods = proxiedMethods(new Set(fastify.supportedMethods), m => { fastify.addHttpMethod(m, { hasBody: true }) })
  fastify.route({
    method: methods,
    url: '/*',
    config: { sidecarProxy: true },
    handler: function proxyHandler (request, reply) { forward(ctx, request, reply) }
  })
}

export default proxyPlugin
