// The engine service from the core's config and the jobs section, the same way in every process role: the core's
// Redis settings and key prefix, the origin as the base of `http` callback paths, and the claim function ticks and
// chores are taken with (the core's fleet locks; Redis SET NX PX on the engine's own connection without one).
import type { Registry } from 'prom-client'
import type { CoreConfig } from '../../config/core-schema.js'
import type { JobsSection } from './schema.js'
import { JobsService } from './service.js'
import type { ClaimFn, JobsLogger } from './types.js'

export function serviceFromConfig (core: CoreConfig, jobs: JobsSection, registry: Registry, log: JobsLogger, claim?: ClaimFn): JobsService {
  return new JobsService({
    config: jobs,
    redis: { url: core.redis.url, keyPrefix: core.redis.keyPrefix, options: { connectTimeout: core.redis.connectTimeout } },
    registry,
    log,
    httpBaseUrl: core.upstream.url,
    claim
  })
}
