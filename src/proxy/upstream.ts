// The keep-alive pool to the origin. Interceptors added by plugins are composed around it once, at ready.
import { Pool, type Dispatcher } from 'undici'
import type { FrozenConfig } from '../config/schema.js'

export function createUpstreamPool (config: FrozenConfig['upstream']): Pool {
  const origin = new URL(config.url).origin
  return new Pool(origin, {
    connections: config.connections,
    pipelining: config.pipelining,
    connect: { timeout: config.connectTimeout },
    headersTimeout: config.responseTimeout,
    bodyTimeout: config.bodyTimeout,
    keepAliveTimeout: config.keepAliveTimeout,
    keepAliveMaxTimeout: Math.max(config.keepAliveTimeout, 1000)
  })
}

export function composeUpstream (pool: Pool, interceptors: readonly Dispatcher.DispatcherComposeInterceptor[]): Dispatcher {
  return interceptors.length === 0 ? pool : pool.compose(...interceptors)
}
