// The checks start-up runs on `jobs:` that the schema can't express (Redis on, job types, URLs, payload schemas,
// cron expressions), for `check-config` too: the same resolveJobsParams() the service calls.
import { SIPUP_ERR_JOBS_CONFIG } from '../../errors.js'
import type { CoreConfig } from '../../config/core-schema.js'
import { redactUrl } from '../../config/redact.js'
import { resolveJobsParams } from './options.js'
import type { JobsSection } from './schema.js'

/** Jobs live in Redis: the plugin refuses to start without one it can use, the shared section's or `jobs.redis`. */
export function requireRedis (core: CoreConfig, jobs: JobsSection): void {
  const own = jobs.redis.url
  if (own !== '') {
    let protocol = ''
    try {
      protocol = new URL(own).protocol
    } catch {}
    if (protocol !== 'redis:' && protocol !== 'rediss:') {
      throw new SIPUP_ERR_JOBS_CONFIG('redis.url', 'a redis:// or rediss:// URL of a standalone server', redactUrl(own))
    }
    return
  }
  if (!core.redis.enabled) {
    throw new SIPUP_ERR_JOBS_CONFIG('enabled', 'redis.enabled: true or a jobs.redis.url (jobs live in Redis)', 'redis.enabled is false')
  }
  // bee-queue's node-redis v3 client follows neither a Sentinel failover nor Cluster slots: refuse rather than
  // quietly run jobs on whatever `redis.url` names while the rest of the sidecar uses the Sentinel or the Cluster.
  if (core.redis.sentinels.length > 0 || core.redis.nodes.length > 0) {
    throw new SIPUP_ERR_JOBS_CONFIG('redis.url', 'a standalone Redis for the jobs (bee-queue supports neither Sentinel nor Cluster): ' +
      'set jobs.redis.url (env SIDECAR_JOBS_REDIS_URL) to one, or jobs.enabled: false',
      core.redis.sentinels.length > 0 ? 'redis.sentinels is set and jobs.redis.url is empty' : 'redis.nodes is set and jobs.redis.url is empty')
  }
}

export function checkJobsConfig (section: JobsSection, core: CoreConfig): void {
  requireRedis(core, section)
  resolveJobsParams(section, { httpBaseUrl: core.upstream.url })
}
