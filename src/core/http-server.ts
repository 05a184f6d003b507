// The listening HTTP server, made here (Fastify's serverFactory) rather than by Fastify, for two things Fastify has
// no hook early enough for:
// - the request guard (src/core/request-target.ts) runs before routing, so no hook, rule or log line ever sees an
//   absolute-form target, a second Host header or `OPTIONS *`;
// - the connection guard (src/core/connection-guard.ts) sees every accepted socket: idle timeout before the first
//   request, per-IP cap.
// Everything Fastify would set on its own server (timeouts, limits) is set here from server.* instead.
// With server.tls the server is https, or HTTP/2 with HTTP/1.1 by ALPN (server.http2): src/core/tls/, src/core/h2-guard.ts.
import http from 'node:http'
import https from 'node:https'
import http2 from 'node:http2'
import { TlsState, attachTlsState } from './tls/secure-server.js'
import { tlsEnabled } from './tls/material.js'
import { SidecarH2Request, SidecarH2Response, addConnectionClosers, guardRapidReset } from './h2-guard.js'
import type { CoreConfig } from '../config/core-schema.js'
import { OPTIONS_ASTERISK, SERVER_ALLOW, checkRequestTarget } from './request-target.js'
import { writeProblem } from './problem.js'
import { guardConnections, isRefused } from './connection-guard.js'

type ServerConfig = CoreConfig['server']

/** A listener in front of Fastify's router (the proxy path, src/proxy/bypass.ts): filled in once the app is ready;
 * `handle` answers a request itself and returns true, or returns false to leave it to Fastify. */
export interface RequestFront {
  handle: ((req: http.IncomingMessage, res: http.ServerResponse) => boolean) | null
}

function answerGuarded (req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (isRefused(req.socket)) {
    res.destroy()
    return true
  }
  const verdict = checkRequestTarget(req)
  if (verdict === null) return false
  if (verdict === OPTIONS_ASTERISK) {
    res.writeHead(200, { allow: SERVER_ALLOW, 'content-length': 0 })
    res.end()
    return true
  }
  // A body may follow a refused request line: close rather than read it.
  writeProblem(res, verdict, req.headers.accept, { close: true })
  return true
}

function h1Options (s: ServerConfig): http.ServerOptions {
  return {
    maxHeaderSize: s.maxHeaderSize,
    headersTimeout: s.headersTimeout,
    requestTimeout: s.requestTimeout,
    // Node only enforces headersTimeout/requestTimeout when it sweeps connections, every 30 s by default:
    // sweep often enough that a slowloris client is cut near the configured time.
    connectionsCheckingInterval: Math.max(250, Math.min(1000, s.headersTimeout / 2))
  }
}

/** Fastify's `serverFactory`: an http.Server (https, or http2 with HTTP/1.1 fallback, with server.tls) with
 * server.*'s limits and the request guard in front of Fastify's router; `front` (the proxy path) sees each request
 * before Fastify does. */
export function sidecarServerFactory (s: ServerConfig, tlsState: TlsState | null = tlsEnabled(s.tls) ? new TlsState(s.tls) : null,
  front: RequestFront | null = null): (handler: http.RequestListener) => http.Server {
  return (handler) => {
    /** The connection guard's per-request part (guardConnections), set below. */
    let afterRequest: ((req: http.IncomingMessage) => void) | null = null
    function guardedRequest (req: http.IncomingMessage, res: http.ServerResponse): void {
      if (!answerGuarded(req, res)) {
        const h = front === null ? null : front.handle
        if (h === null || !h(req, res)) handler(req, res)
      }
      if (afterRequest !== null) afterRequest(req)
    }
    let server: http.Server
    if (tlsState === null) {
      server = http.createServer(h1Options(s), guardedRequest)
    } else if (!s.http2) {
      server = https.createServer({ ...h1Options(s), ...tlsState.serverOptions() }, guardedRequest)
    } else {
      const h2 = http2.createSecureServer({
        ...tlsState.serverOptions(),
        allowHTTP1: true,
        // http and https turn Nagle off on every connection; http2's server does it only for h2 sessions, so the
        // HTTP/1.1 connections it falls back to (ALPN) kept Nagle on: a response written in two parts waited for the
        // client's delayed ACK (up to 40 ms).
        noDelay: true,
        ALPNProtocols: ['h2', 'http/1.1'],
        Http2ServerRequest: SidecarH2Request,
        Http2ServerResponse: SidecarH2Response,
        maxHeaderListPairs: 256,
        settings: { maxConcurrentStreams: s.http2Limits.maxConcurrentStreams, maxHeaderListSize: s.http2Limits.maxHeaderListSize }
      }, guardedRequest as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void)
      // node:http2 takes no HTTP/1 limits from its options, and with allowHTTP1 sets its own (60 s headers, 5 min
      // request): its HTTP/1.1 fallback connections read them from the server object, as http's do.
      Object.assign(h2, h1Options(s))
      guardRapidReset(h2, { maxResets: s.http2Limits.maxResets, resetWindow: s.http2Limits.resetWindow })
      addConnectionClosers(h2)
      // Fastify and the guards see the HTTP/1 server API: the compat layer gives h2 streams the same shape.
      server = h2 as unknown as http.Server
    }
    if (tlsState !== null) attachTlsState(server, tlsState)
    server.keepAliveTimeout = s.keepAliveTimeout
    if (s.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = s.maxRequestsPerSocket
    if (s.maxConnections > 0) server.maxConnections = s.maxConnections
    afterRequest = guardConnections(server, {
      idleTimeout: s.idleTimeout,
      maxPerIp: s.maxConnectionsPerIp,
      trustProxy: s.trustProxy,
      // Over TLS the request's socket is the TLS one (or an h2 session's), not the TCP socket 'connection' gives.
      event: tlsState === null ? 'connection' : 'secureConnection'
    })
    return server
  }
}
