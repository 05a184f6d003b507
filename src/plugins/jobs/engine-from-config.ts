// The engine service from the core's config and the jobs section, the same way in every process role: the core's
// Redis settings and key prefix (or `jobs.redis`, a standalone server for the jobs alone), the origin as the base of `http` callback paths, and the claim function ticks and
// chores are taken with (the core's fleet locks; Redis SET NX PX on the engine's own connection without one).
import type { Registry } from 'prom-client'
import type { CoreConfig } from '../../config/core-schema.js'
import type { JobsSection } from './schema.js'
import { JobsService, type JobsServiceOptions } from './service.js'
import type { ClaimFn, JobsLogger } from './types.js'

/** Where the jobs live: `jobs.redis` when it names a server, else the shared section (standalone only: see check.ts). */
export function jobsRedis (core: CoreConfig, jobs: JobsSection): JobsServiceOptions['redis'] {
  const own = jobs.redis
  const options = { connectTimeout: core.redis.connectTimeout }
  if (own.url === '') return { url: core.redis.url, keyPrefix: core.redis.keyPrefix, options }
  return { url: own.url, keyPrefix: own.keyPrefix === '' ? core.redis.keyPrefix : own.keyPrefix, options }
}

export function serviceFromConfig (core: CoreConfig, jobs: JobsSection, registry: Registry, log: JobsLogger, claim?: ClaimFn): JobsService {
  return new JobsService({
    config: jobs,
    redis: jobsRedis(core, jobs),
    registry,
    log,
    httpBaseUrl: core.upstream.url,
    claim
  })
}
