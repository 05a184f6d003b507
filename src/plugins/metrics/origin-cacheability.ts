// Watches the origin's answers to GET/HEAD for headers that forbid shared caching, so the dashboard can say
// "the origin sends no-store on this route: add a cache rule with override". An undici interceptor is the only
// place that sees the origin's own headers (the proxy writes them straight to the socket). One small pass-through
// handler per origin request, prototype methods only.
import type { Duplex } from 'node:stream'
import type { Dispatcher } from 'undici'
import type { FastifyRequest } from 'fastify'
import { kSidecarRequest } from '../../symbols.js'
import type { RouteStats } from './route-stats.js'

const UNCACHEABLE = /no-store|no-cache|private/i

type Headers = Record<string, string | string[] | undefined>

/** no-store / no-cache / private in Cache-Control, or a bare `Pragma: no-cache` (PHP's session_cache_limiter). */
export function forbidsSharedCaching (headers: Headers): boolean {
  const cc = headers['cache-control']
  if (cc !== undefined) return UNCACHEABLE.test(Array.isArray(cc) ? cc.join(',') : cc)
  const pragma = headers.pragma
  return pragma !== undefined && UNCACHEABLE.test(Array.isArray(pragma) ? pragma.join(',') : pragma)
}

class OriginCacheabilityHandler implements Dispatcher.DispatchHandler {
  readonly #inner: Dispatcher.DispatchHandler
  readonly #stats: RouteStats
  readonly #request: FastifyRequest
  readonly #label: (route: string) => string

  constructor (inner: Dispatcher.DispatchHandler, stats: RouteStats, request: FastifyRequest,
    label: (route: string) => string) {
    this.#inner = inner
    this.#stats = stats
    this.#request = request
    this.#label = label
  }

  onRequestStart (controller: Dispatcher.DispatchController, context: unknown): void {
    this.#inner.onRequestStart?.(controller, context)
  }

  onRequestUpgrade (controller: Dispatcher.DispatchController, statusCode: number, headers: Headers,
    socket: Duplex): void {
    this.#inner.onRequestUpgrade?.(controller, statusCode, headers, socket)
  }

  onResponseStart (controller: Dispatcher.DispatchController, statusCode: number, headers: Headers,
    statusMessage?: string): void {
    // Only full pages tell whether a route could be cached; redirects, 304s and errors don't.
    if (statusCode === 200) {
      this.#stats.recordOrigin(this.#label(this.#request.sidecar.route), forbidsSharedCaching(headers))
    }
    this.#inner.onResponseStart?.(controller, statusCode, headers, statusMessage)
  }

  onResponseData (controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#inner.onResponseData?.(controller, chunk)
  }

  onResponseEnd (controller: Dispatcher.DispatchController, trailers: Headers): void {
    this.#inner.onResponseEnd?.(controller, trailers)
  }

  onResponseError (controller: Dispatcher.DispatchController, err: Error): void {
    this.#inner.onResponseError?.(controller, err)
  }
}

/** `label` bounds the route name the same way the metrics do. */
export function originCacheabilityInterceptor (stats: RouteStats,
  label: (route: string) => string): Dispatcher.DispatcherComposeInterceptor {
  return dispatch => function observeOrigin (opts, handler) {
    if (opts.method !== 'GET' && opts.method !== 'HEAD') return dispatch(opts, handler)
    const request = (opts as { [kSidecarRequest]?: FastifyRequest })[kSidecarRequest]
    if (request === undefined) return dispatch(opts, handler)
    return dispatch(opts, new OriginCacheabilityHandler(handler, stats, request, label))
  }
}
