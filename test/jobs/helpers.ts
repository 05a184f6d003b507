// Engine services on the real Redis, each under the test file's own key prefix, closed and cleaned up after.
import type { Test } from 'tap'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { loadConfig } from '../../src/sidecar-config.js'
import type { JobsSection } from '../../src/plugins/jobs/schema.js'
import { JobsService, type JobsServiceOptions } from '../../src/plugins/jobs/service.js'
import type { JobInfo } from '../../src/plugins/jobs/types.js'
import { REDIS_URL } from '../helpers/services.js'
import { deleteByPrefix } from '../../bench/lib/redis-keys.js'

export const silentLog = pino({ level: 'silent' })

/** The `jobs:` section as the loader makes it (defaults applied, durations in ms). */
export function jobsSection (overrides: Record<string, unknown>): JobsSection {
  return loadConfig({ env: {}, overrides: { jobs: { enabled: true, ...overrides } } }).config.jobs
}

export async function deleteKeys (prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL)
  try {
    await deleteByPrefix(r, prefix)
  } finally {
    r.disconnect()
  }
}

/** A connected service on `prefix`; closed (2 s deadline) after the test. Key cleanup is the file's job (one prefix per file). */
export async function makeService (t: Test, prefix: string, jobs: Record<string, unknown>, opts: Partial<JobsServiceOptions> = {}): Promise<JobsService> {
  const service = new JobsService({
    config: jobsSection(jobs),
    redis: { url: REDIS_URL, keyPrefix: prefix },
    registry: new Registry(),
    log: silentLog,
    ...opts
  })
  t.after(() => service.close(2000))
  await service.connect()
  return service
}

/** Polls the job until `done(info)` or the deadline; returns the last info. Jobs run on real workers, so this waits on real time. */
export async function waitForJob (service: JobsService, id: string, done: (j: JobInfo) => boolean, timeoutMs = 10_000): Promise<JobInfo> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const info = await service.store.get(id)
    if (info !== null && done(info)) return info
    if (Date.now() > until) throw new Error(`job ${id} not done in ${timeoutMs} ms: ${JSON.stringify(info)}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

export const finished = (j: JobInfo): boolean => j.status === 'succeeded' || j.status === 'failed'
