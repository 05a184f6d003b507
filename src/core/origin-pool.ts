// The keep-alive pool to the origin. Interceptors added by plugins are composed around it once, at ready.
import { Pool, type Dispatcher } from 'undici'
import type { CoreConfig } from '../config/core-schema.js'

export function createOriginPool (config: CoreConfig['upstream']): Pool {
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

/** undici's compose() applies the first interceptor first, i.e. innermost: `outermostFirst` is reversed for it. */
export function composeUpstream (pool: Dispatcher, outermostFirst: readonly Dispatcher.DispatcherComposeInterceptor[]): Dispatcher {
  return outermostFirst.length === 0 ? pool : pool.compose(...[...outermostFirst].reverse())
}
