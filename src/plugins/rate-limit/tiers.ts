// Tiers resolved once from config: each knows its GCRA interval and its RateLimit-Policy member, so nothing
// about a limit is recomputed per request.
import type { Tier } from './types.js'

export function makeTier (name: string, limit: number, windowMs: number, dryRun: boolean, lease = 1, bit = 0): Tier {
  return {
    name,
    limit,
    windowMs,
    intervalMs: windowMs / limit,
    dryRun,
    lease,
    // draft-ietf-httpapi-ratelimit-headers-11 §3: quota q per window w (whole seconds).
    policy: `"${name}";q=${limit};w=${Math.ceil(windowMs / 1000)}`,
    remainingPrefix: `"${name}";r=`,
    bit
  }
}

/** Lease chunk for a tier: `fraction` of its limit when the limit is at least `minLimit` (0 = leasing off). */
export function leaseChunk (limit: number, lease: { minLimit: number, fraction: number }): number {
  if (lease.minLimit === 0 || limit < lease.minLimit) return 1
  return Math.max(1, Math.floor(limit * lease.fraction))
}
