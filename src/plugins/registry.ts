// The capability plugins, in registration order. Adding a capability = one schema line and one entry here;
// nothing else in the core changes. Each section of the config named by `key` is validated by `schema`
// and handed to the plugin as `opts.config` (frozen) when `enabled` is true.
import type { TObject } from '@sinclair/typebox'
import type { FastifyPluginAsync } from 'fastify'
import { RateLimitSchema } from './rate-limit/schema.js'
import { CacheSchema } from './cache/schema.js'
import { MetricsSchema } from './metrics/schema.js'
import { DbSchema } from './db/schema.js'

export interface PluginEntry {
  /** The config section (YAML top-level key) the plugin owns. */
  key: keyof typeof pluginSchemas
  /** Human name for start-up messages. */
  title: string
  /** Loaded only when the section is enabled, so a disabled capability costs nothing at start-up. */
  load: () => Promise<{ default: FastifyPluginAsync<{ config: never }> }>
}

export const pluginSchemas = {
  rateLimit: RateLimitSchema,
  cache: CacheSchema,
  metrics: MetricsSchema,
  db: DbSchema
} satisfies Record<string, TObject>

export const pluginEntries: PluginEntry[] = [
  // First: its upstream interceptor is then the innermost one, so it sees the origin's own responses.
  { key: 'metrics', title: 'metrics', load: () => import('./metrics/index.js') },
  // Before the cache: limits run before cache hits are served.
  { key: 'rateLimit', title: 'rate limiting', load: () => import('./rate-limit/index.js') },
  { key: 'cache', title: 'response cache', load: () => import('./cache/index.js') },
  // Admin API and maintenance only: nothing on the proxy path, so its place in the order doesn't matter.
  { key: 'db', title: 'DB advisor', load: () => import('./db/index.js') }
]
