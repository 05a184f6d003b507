// Exponential backoff with jitter: attempt n (1-based, the attempt that just failed) waits
// min(maxBackoff, backoff * 2^(n-1)), less up to `jitter` of it at random, so jobs that failed together spread out.
import type { JobTypeParams } from './options.js'

export function backoffDelay (t: Pick<JobTypeParams, 'backoffMs' | 'maxBackoffMs' | 'jitter'>, failedAttempt: number, random: () => number): number {
  const exp = Math.min(t.maxBackoffMs, t.backoffMs * 2 ** Math.max(0, failedAttempt - 1))
  return Math.max(1, Math.round(exp * (1 - t.jitter * random())))
}
