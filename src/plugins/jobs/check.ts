// The checks start-up runs on `jobs:` that the schema can't express (Redis on, job types, URLs, payload schemas,
// cron expressions), for `check-config` too: the same resolveJobsParams() the service calls.
import { SIPUP_ERR_JOBS_CONFIG } from '../../errors.js'
import type { CoreConfig } from '../../config/core-schema.js'
import { resolveJobsParams } from './options.js'
import type { JobsSection } from './schema.js'

/** Jobs live in Redis: the plugin refuses to start without it. */
export function requireRedis (core: CoreConfig): void {
  if (!core.redis.enabled) throw new SIPUP_ERR_JOBS_CONFIG('enabled', 'redis.enabled: true (jobs live in Redis)', 'redis.enabled is false')
  // bee-queue's node-redis v3 client follows neither a Sentinel failover nor Cluster slots: refuse rather than
  // quietly run jobs on whatever `redis.url` names while the rest of the sidecar uses the Sentinel or the Cluster.
  if (core.redis.sentinels.length > 0 || core.redis.nodes.length > 0) {
    throw new SIPUP_ERR_JOBS_CONFIG('enabled', 'redis.url alone (jobs run on bee-queue, which supports neither Sentinel nor Cluster); ' +
      'set jobs.enabled: false, or run jobs on a sidecar config of their own with a standalone redis.url',
      core.redis.sentinels.length > 0 ? 'redis.sentinels is set' : 'redis.nodes is set')
  }
}

export function checkJobsConfig (section: JobsSection, core: CoreConfig): void {
  requireRedis(core)
  resolveJobsParams(section, { httpBaseUrl: core.upstream.url })
}
