// What the proxy path (forward, the ForwardHandler, the upstream interceptors through kSidecarRequest) reads from a
// request and a reply. Fastify's Request/Reply satisfy it (requests that went through Fastify's router: inject(),
// a hook that fell back), and so does the light pair the bypass makes per request (src/proxy/light-pair.ts).
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyBaseLogger } from 'fastify'
import type { RequestState } from '../core/types.js'

export interface ProxyRequest {
  readonly raw: IncomingMessage
  readonly headers: IncomingHttpHeaders
  readonly url: string
  readonly method: string
  readonly id: string
  /** The client address, with server.trustProxy applied as Fastify applies it. */
  readonly ip: string
  readonly log: FastifyBaseLogger
  readonly sidecar: RequestState
}

export interface ProxyReply {
  readonly raw: ServerResponse
  /** Hijacked, or the response ended. */
  readonly sent: boolean
  hijack(): unknown
}
