// RateLimit-Policy and RateLimit fields, draft-ietf-httpapi-ratelimit-headers-11 (§3, §4): one list member per
// enforced tier of the request. Dry-run tiers are not advertised (clients would throttle themselves on a limit
// that is not enforced).
//   RateLimit-Policy: "ip";q=100;w=60, "login";q=10;w=300
//   RateLimit: "ip";r=97;t=2, "login";r=0;t=30
// r = requests left; t = seconds until the counter is full again, or, when r is 0, until the next request is
// allowed (then equal to Retry-After, as §6 asks).
import type { RequestState } from '../../core/types.js'
import type { Check, CheckResult } from './types.js'

export interface HeaderOptions {
  standard: boolean
  legacy: boolean
  /** `RateLimit-Policy` values by the bits of the tiers they list (Tier.bit), filled as tier sets are first seen.
   * Bounded by the configured tiers' combinations; MAX_POLICIES caps it for configs with many rules. */
  policies?: Map<number, string>
}

const MAX_POLICIES = 256

function seconds (ms: number): number {
  return Math.ceil(ms / 1000)
}

function buildPolicy (checks: readonly Check[], results: readonly (CheckResult | null)[]): string {
  let policy = ''
  for (let i = 0; i < checks.length; i++) {
    const r = results[i]
    const tier = checks[i].tier
    if (r === null || r === undefined || tier.dryRun) continue
    if (policy !== '') policy += ', '
    policy += tier.policy
  }
  return policy
}

/**
 * Adds the headers to the request's response headers (RequestState.setResponseHeader), so they reach the client
 * whichever way it is answered (proxied with a hijacked reply, served from the cache, or rejected here).
 * `results[i]` null = unknown for that check (a rejection decided without asking the store).
 */
export function setRateLimitHeaders (res: Pick<RequestState, 'setResponseHeader'>, checks: readonly Check[], results: readonly (CheckResult | null)[], opts: HeaderOptions,
  fullPolicy: string | null = null): void {
  let limit = ''
  let tightest = -1
  // `fullPolicy`: the value when every check has a result, precomputed with the request's plan (check-plan.ts).
  let complete = fullPolicy !== null
  // The tiers a request advertises are one of few sets: their policy value is looked up by the set's bits, and
  // only the counts (limit) are formatted per request. A tier without a bit (0) forces building it.
  let mask = 0
  let cacheable = opts.policies !== undefined
  for (let i = 0; i < checks.length; i++) {
    const r = results[i]
    const tier = checks[i].tier
    if (r === null || r === undefined) {
      complete = false
      continue
    }
    if (tier.dryRun) continue
    const t = r.remaining === 0 ? r.retryMs : r.resetMs
    if (limit !== '') limit += ', '
    limit += tier.remainingPrefix + r.remaining + ';t=' + seconds(t)
    if (tier.bit === 0) cacheable = false
    mask |= tier.bit
    if (tightest === -1 || r.remaining < (results[tightest] as CheckResult).remaining) tightest = i
  }
  if (tightest === -1) return
  if (opts.standard) {
    let policy = complete ? fullPolicy as string : cacheable ? opts.policies?.get(mask) : undefined
    if (policy === undefined) {
      policy = buildPolicy(checks, results)
      if (cacheable && (opts.policies as Map<number, string>).size < MAX_POLICIES) opts.policies?.set(mask, policy)
    }
    res.setResponseHeader('ratelimit-policy', policy)
    res.setResponseHeader('ratelimit', limit)
  }
  if (opts.legacy) {
    const r = results[tightest] as CheckResult
    res.setResponseHeader('x-ratelimit-limit', checks[tightest].tier.limit)
    res.setResponseHeader('x-ratelimit-remaining', r.remaining)
    res.setResponseHeader('x-ratelimit-reset', seconds(r.remaining === 0 ? r.retryMs : r.resetMs))
  }
}
