// The checks start-up runs on `jobs:` that the schema can't express (Redis on, job types, URLs, payload schemas,
// cron expressions), for `check-config` too: the same resolveJobsParams() the service calls.
import { SIPUP_ERR_JOBS_CONFIG } from '../../errors.js'
import type { CoreConfig } from '../../config/core-schema.js'
import { resolveJobsParams } from './options.js'
import type { JobsSection } from './schema.js'

/** Jobs live in Redis: the plugin refuses to start without it. */
export function requireRedis (core: CoreConfig): void {
  if (!core.redis.enabled) throw new SIPUP_ERR_JOBS_CONFIG('enabled', 'redis.enabled: true (jobs live in Redis)', 'redis.enabled is false')
}

export function checkJobsConfig (section: JobsSection, core: CoreConfig): void {
  requireRedis(core)
  resolveJobsParams(section, { httpBaseUrl: core.upstream.url })
}
