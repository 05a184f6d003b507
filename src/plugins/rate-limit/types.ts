// The rate-limit plugin's public contract: resolved tiers, the store interface every store implements (memory,
// Redis), and the outcome written to `request.sidecar.rateLimit`.

/** What happened to a request, as logged (`request.sidecar.rateLimit`) and counted (metric label `outcome`). */
export type Outcome =
  | 'allowed'
  | 'limited'
  | 'dry_run_would_limit'
  | 'banned'
  | 'denied'
  | 'allowlisted'
  | 'unavailable'

/** One limit, resolved from config once at registration: per IP, per user, or an endpoint rule. */
export interface Tier {
  /** `ip`, `user` or the rule name: metric label, header policy name and part of the store key. */
  readonly name: string
  readonly limit: number
  readonly windowMs: number
  /** windowMs / limit: one unit comes back every interval (GCRA emission interval). */
  readonly intervalMs: number
  readonly dryRun: boolean
  /** Units one store call reserves for this tier (1 = no leasing). */
  readonly lease: number
  /** This tier's member of `RateLimit-Policy`, e.g. `"ip";q=100;w=60`. */
  readonly policy: string
  /** The start of this tier's member of `RateLimit`, `"ip";r=`, so a request only appends its numbers. */
  readonly remainingPrefix: string
  /** This tier's bit in the key of a precomputed `RateLimit-Policy` value (headers.ts); 0 = built per request. */
  readonly bit: number
}

/** One counter a request draws from: a tier and the key of the client in it. */
export interface Check {
  readonly tier: Tier
  /** Whom the counter is for, across tiers (`ip=203.0.113.7`, `c:<hash>`...): the Redis store keeps every tier
   * of one id in one key, so an anonymous request's per-IP, per-user and IP-keyed rule counters cost one read
   * and one write. */
  readonly id: string
  /** Key unique to this tier and id (e.g. `<prefix>rl:ip:ip=203.0.113.7`), for per-instance state. */
  readonly key: string
  /** Units to take from the store: 1, or the tier's lease chunk. */
  want: number
}

/** What the store says about one check. Times in ms from `now`. */
export interface CheckResult {
  /** Units taken (0 when the request was rejected, or this check had none left). */
  granted: number
  /** Units left after this request. */
  remaining: number
  /** Until the counter is full again (the `t` of the RateLimit header). */
  resetMs: number
  /** Until one unit is available again (0 = available now). */
  retryMs: number
}

export interface StoreResult {
  /** True when every enforced (non-dry-run) check had a unit; then each check with a unit took `granted`. */
  allowed: boolean
  /** > 0: the client is banned for this many more ms (no check was evaluated, `results` is empty). */
  bannedMs: number
  /** > 0: this rejection was the strike that started a ban of this many ms. */
  banStartedMs: number
  /** One per check, same order. */
  results: CheckResult[]
}

export interface StrikeResult {
  /** > 0: the client was already banned for this many more ms (no strike counted). */
  bannedMs: number
  /** > 0: this strike started a ban of this many ms. */
  banStartedMs: number
}

/** Ban escalation parameters handed to stores (null when bans are off). */
export interface BanPolicy {
  readonly strikes: number
  readonly withinMs: number
  readonly durationMs: number
}

/** One ban in force, as listed by the admin API and the CLI. */
export interface BanRecord {
  /** The banned client key: an IPv4 address, or the start address of an IPv6 client's /`ipv6Subnet` network. */
  readonly client: string
  /** ms until the ban ends. */
  readonly remainingMs: number
}

/** Listing and lifting bans (operator actions, not the hot path): every store implements it. */
export interface BanStore {
  /** Bans in force, at most `max` of them (`truncated` when there are more). */
  listBans (now: number, max: number): { bans: BanRecord[], truncated: boolean } | Promise<{ bans: BanRecord[], truncated: boolean }>
  /** Ends the client's ban and forgets its strikes; true when a ban was in force. */
  liftBan (client: string, now: number): boolean | Promise<boolean>
}

/**
 * A rate-limit store. `consume` evaluates every check of one request atomically with GCRA: a request is allowed
 * when every enforced check has a unit, and only then takes from each check that has one (dry-run checks that have
 * none are left alone); a rejected request takes nothing. With bans, a banned client is answered from the ban
 * alone, and each rejection counts a strike for `client`; `client` null means the request is exempt from bans
 * (`bans.exempt`): no ban is looked up and no strike counted. A store may return a value or a promise, and may reject
 * (the caller then treats the store as down).
 */
export interface RateLimitStore extends BanStore {
  consume (client: string | null, checks: readonly Check[], now: number): StoreResult | Promise<StoreResult>
  /** Counts a strike for a rejection decided without the store (or reports the ban already in force). */
  strike (client: string | null, now: number): StrikeResult | Promise<StrikeResult>
}
