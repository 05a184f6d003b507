// `sipup-sidecar start` with `server.workers > 1`: the primary's start-up (what is per worker and what is shared is
// said once, plainly), then the primary runs until its signal handlers exit the process.
import type { FrozenConfig } from '../sidecar-config.js'
import { createLogger } from '../logger.js'
import { runPrimary, type RunningPrimary } from './primary.js'
import { workerCount } from './worker-slot.js'
import { shareOf } from '../proxy/origin-guard/worker-share.js'

export { workerCount }

/** What stays per worker with this config: said at start-up, because it changes what limits and purges mean. */
export function perWorkerWarnings (config: FrozenConfig): string[] {
  const out: string[] = []
  const redisOn = config.redis.enabled
  if (config.cache.enabled && (config.cache.store === 'memory' || !redisOn)) {
    out.push('cache: each worker caches alone (store: memory) and a purge reaches only the worker that got it; use store: tiered with Redis')
  }
  if (config.rateLimit.enabled && (config.rateLimit.store === 'memory' || !redisOn)) {
    out.push('rateLimit: each worker counts alone, so a client may get up to N x the limit; use store: redis')
  }
  return out
}

/** What is split across the workers so the node's figure holds: said at start-up, so the per-worker figures on a
 * worker's own feature line don't read as the node's. */
export function splitLimitLines (config: FrozenConfig, workers: number): string[] {
  const u = config.upstream
  if (u.maxConcurrent === 0 || workers <= 1) return []
  const parts = (n: number): string => Array.from({ length: workers }, (_, i) => shareOf(n, workers, i)).join(' + ')
  const limit = u.maxConcurrent === 'auto' ? `autoLimit.max ${u.autoLimit.max} = ${parts(u.autoLimit.max)}` : `${u.maxConcurrent} = ${parts(u.maxConcurrent)}`
  return [`upstream.maxConcurrent is the node's: each worker guards its share (${limit}; queue ${u.queue.size} = ${parts(u.queue.size)})`]
}

export async function startWorkers (config: FrozenConfig, out: NodeJS.WritableStream = process.stderr): Promise<RunningPrimary> {
  const log = createLogger(config.log)
  const n = workerCount(config.server.workers)
  const primary = runPrimary(config, { log })
  await primary.ready
  const lines = [`sipup-sidecar primary (pid ${process.pid}): ${n} workers listening on ${config.server.host}:${config.server.port}; SIGHUP restarts them one at a time`]
  for (const w of perWorkerWarnings(config)) lines.push(`  warning: ${w}`)
  for (const l of splitLimitLines(config, n)) lines.push(`  ${l}`)
  out.write(lines.join('\n') + '\n')
  return primary
}
