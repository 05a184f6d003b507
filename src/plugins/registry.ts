// The capability plugins. Adding a capability = one entry here; nothing in the core changes. Each entry's section
// is validated by its schema (src/sidecar-config.ts composes them) and handed to the plugin as `opts.config`
// (frozen) when `enabled` is true. The order here is only the order of registration and of the generated docs:
// hooks and interceptors are ordered by what each plugin declares (before/after), not by this list.
import { definePlugin } from './plugin-entry.js'
import { CacheSchema } from './cache/schema.js'
import { DbSchema } from './db/schema.js'
import { JobsSchema } from './jobs/schema.js'
import { MetricsSchema } from './metrics/schema.js'
import { RateLimitSchema } from './rate-limit/schema.js'

export const pluginEntries = [
  definePlugin({
    key: 'rateLimit',
    title: 'rate limiting',
    schema: RateLimitSchema,
    load: () => import('./rate-limit/index.js'),
    commands: [{ name: 'limits', summary: 'rate limiting: list the bans in force (limits bans), lift one (limits unban IP)', load: () => import('./rate-limit/commands/limits.js') }],
    check: async () => (await import('./rate-limit/check.js')).checkRateLimitConfig
  }),
  definePlugin({
    key: 'cache',
    title: 'response cache',
    schema: CacheSchema,
    load: () => import('./cache/index.js'),
    commands: [{ name: 'cache', summary: 'response cache: purge by URL, prefix, tag or regex on every instance (cache purge ...)', load: () => import('./cache/commands/cache.js') }],
    check: async () => (await import('./cache/check.js')).checkCacheConfig
  }),
  definePlugin({
    key: 'metrics', title: 'metrics', schema: MetricsSchema, roles: ['proxy', 'worker'], load: () => import('./metrics/index.js')
  }),
  definePlugin({
    key: 'db',
    title: 'DB advisor',
    schema: DbSchema,
    load: () => import('./db/index.js'),
    commands: [{ name: 'db', summary: 'DB advisor: analyze the workload, apply/undo index suggestions online, report', load: () => import('./db/commands/db.js') }]
  }),
  definePlugin({
    key: 'jobs',
    title: 'background jobs',
    schema: JobsSchema,
    roles: ['proxy', 'worker'],
    load: () => import('./jobs/index.js'),
    check: async () => (await import('./jobs/check.js')).checkJobsConfig,
    commands: [
      { name: 'worker', summary: 'run the background job workers (no proxy)', load: () => import('./jobs/commands/worker.js') },
      { name: 'jobs', summary: 'list, retry and delete failed jobs; queue stats', load: () => import('./jobs/commands/jobs.js') }
    ],
    env: {
      SIDECAR_JOBS_SECRET: { path: ['jobs', 'secret'], type: 'string' },
      SIDECAR_JOBS_SMTP_URL: { path: ['jobs', 'email', 'url'], type: 'string' },
      SIDECAR_JOBS_REDIS_URL: { path: ['jobs', 'redis', 'url'], type: 'string' }
    }
  })
] as const
