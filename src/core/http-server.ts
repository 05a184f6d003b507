// The listening HTTP server, made here (Fastify's serverFactory) rather than by Fastify, for two things Fastify has
// no hook early enough for:
// - the request guard (src/core/request-target.ts) runs before routing, so no hook, rule or log line ever sees an
//   absolute-form target, a second Host header or `OPTIONS *`;
// - the connection guard (src/core/connection-guard.ts) sees every accepted socket: idle timeout before the first
//   request, per-IP cap.
// Everything Fastify would set on its own server (timeouts, limits) is set here from server.* instead.
import http from 'node:http'
import type { CoreConfig } from '../config/core-schema.js'
import { OPTIONS_ASTERISK, SERVER_ALLOW, checkRequestTarget } from './request-target.js'
import { writeProblem } from './problem.js'
import { guardConnections, isRefused } from './connection-guard.js'

type ServerConfig = CoreConfig['server']

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

/** Fastify's `serverFactory`: an http.Server with server.*'s limits and the request guard in front of Fastify's router. */
export function sidecarServerFactory (s: ServerConfig): (handler: http.RequestListener) => http.Server {
  return (handler) => {
    const server = http.createServer({
      maxHeaderSize: s.maxHeaderSize,
      headersTimeout: s.headersTimeout,
      requestTimeout: s.requestTimeout,
      // Node only enforces headersTimeout/requestTimeout when it sweeps connections, every 30 s by default:
      // sweep often enough that a slowloris client is cut near the configured time.
      connectionsCheckingInterval: Math.max(250, Math.min(1000, s.headersTimeout / 2))
    }, function guardedRequest (req, res) {
      if (!answerGuarded(req, res)) handler(req, res)
    })
    server.keepAliveTimeout = s.keepAliveTimeout
    if (s.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = s.maxRequestsPerSocket
    if (s.maxConnections > 0) server.maxConnections = s.maxConnections
    guardConnections(server, { idleTimeout: s.idleTimeout, maxPerIp: s.maxConnectionsPerIp, trustProxy: s.trustProxy })
    return server
  }
}
