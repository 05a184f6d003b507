// Resolves the frozen `rateLimit:` section once, at registration, into the params the hot path reads. Checks
// the schema can't express throw SIPUP_ERR_RATELIMIT_CONFIG naming the key, what was expected and what was got.
import { CookieCondition } from '../../core/cookies.js'
import { SIPUP_ERR_RATELIMIT_CONFIG } from '../../errors.js'
import { formatDuration } from '../../config/units.js'
import { compileAddressList, type AddressList } from '../../config/address-list.js'
import type { HeaderOptions } from './headers.js'
import { IdentityResolver } from './identity.js'
import { compilePathGlob } from '../../core/origin-path.js'
import { MAX_WINDOW_MS, type RateLimitSection, type TierConfig } from './schema.js'
import { leaseChunk, makeTier } from './tiers.js'
import type { BanPolicy, Tier } from './types.js'

/** Tier names the plugin uses itself (metric labels), so rules can't take them. */
const RESERVED_NAMES = new Set(['ip', 'user', 'list', 'ban', 'store'])
const MIN_WINDOW_MS = 1000

export type RuleKey = 'ip' | 'user' | 'field'

export interface ResolvedRule {
  readonly tier: Tier
  /** null = every method. */
  readonly methods: ReadonlySet<string> | null
  readonly path: RegExp
  readonly key: RuleKey
  readonly field: string
  /** `cookies: {present, absent}`, null when the rule has none. */
  readonly cookies: CookieCondition | null
}

export interface RateLimitParams {
  readonly ipTier: Tier | null
  readonly userTier: Tier | null
  readonly rules: readonly ResolvedRule[]
  /** Some tier keys on the user: resolve the identity. */
  readonly needsUser: boolean
  readonly identity: IdentityResolver
  readonly allow: AddressList | null
  readonly deny: AddressList | null
  readonly ban: BanPolicy | null
  /** Clients never banned (`bans.exempt`), null when none. */
  readonly banExempt: AddressList | null
  readonly headers: HeaderOptions
  readonly ipv6Subnet: number
  readonly maxFormBody: number
  readonly memoryKeys: number
  readonly failClosed: boolean
  /** Every tier name, for metrics. */
  readonly tierNames: readonly string[]
}

function checkLimit (path: string, limit: number, windowMs: number): void {
  if (windowMs < MIN_WINDOW_MS || windowMs > MAX_WINDOW_MS) {
    throw new SIPUP_ERR_RATELIMIT_CONFIG(`${path}.window`, 'a duration between 1s and 7d', formatDuration(windowMs))
  }
  if (!Number.isInteger(limit) || limit < 1) throw new SIPUP_ERR_RATELIMIT_CONFIG(`${path}.limit`, 'an integer >= 1', String(limit))
}

function tierOf (name: string, cfg: TierConfig, lease: RateLimitSection['lease'], bit: number): Tier | null {
  if (!cfg.enabled) return null
  checkLimit(name, cfg.limit, cfg.window)
  return makeTier(name, cfg.limit, cfg.window, cfg.dryRun, leaseChunk(cfg.limit, lease), bit)
}

/** Bits for the precomputed RateLimit-Policy values: ip, user, then the rules while 31 bits last (later rules'
 * policies are built per request). */
function tierBit (i: number): number {
  return i < 31 ? 1 << i : 0
}

/** What rules need to know about the origin's paths (the core's `origin` section). */
export interface OriginPaths {
  readonly pathInfo: boolean
}

export function resolveParams (cfg: RateLimitSection, origin: OriginPaths = { pathInfo: true }): RateLimitParams {
  // Limits match case-insensitively whatever the origin does: over-matching a limit is the safe side.
  const pathOpts = { caseInsensitive: true, pathInfo: origin.pathInfo }
  const ipTier = tierOf('ip', cfg.ip, cfg.lease, tierBit(0))
  const userTier = tierOf('user', cfg.user, cfg.lease, tierBit(1))
  const seen = new Set<string>()
  const rules = cfg.rules.map((r, i): ResolvedRule => {
    const at = `rules[${i}]`
    if (RESERVED_NAMES.has(r.name)) throw new SIPUP_ERR_RATELIMIT_CONFIG(`${at}.name`, `a name other than ${[...RESERVED_NAMES].join(', ')}`, r.name)
    if (seen.has(r.name)) throw new SIPUP_ERR_RATELIMIT_CONFIG(`${at}.name`, 'a name no other rule has', r.name)
    seen.add(r.name)
    checkLimit(at, r.limit, r.window)
    if (r.key === 'field' && r.field === '') throw new SIPUP_ERR_RATELIMIT_CONFIG(`${at}.field`, 'the form field to key on (key is field)', '')
    if (r.key !== 'field' && r.field !== '') throw new SIPUP_ERR_RATELIMIT_CONFIG(`${at}.key`, `field (a field '${r.field}' is set)`, r.key)
    const methods = r.methods.includes('*') ? null : new Set(r.methods)
    if (methods !== null && methods.size === 0) throw new SIPUP_ERR_RATELIMIT_CONFIG(`${at}.methods`, 'at least one method or *', '[]')
    return {
      tier: makeTier(r.name, r.limit, r.window, r.dryRun, leaseChunk(r.limit, cfg.lease), tierBit(2 + i)),
      methods,
      path: compilePathGlob(r.path, 'segments', pathOpts),
      key: r.key,
      field: r.field,
      cookies: CookieCondition.compile(r.cookies)
    }
  })
  if (cfg.bans.enabled) {
    for (const k of ['within', 'duration'] as const) {
      if (cfg.bans[k] < MIN_WINDOW_MS) throw new SIPUP_ERR_RATELIMIT_CONFIG(`bans.${k}`, 'a duration of at least 1s', formatDuration(cfg.bans[k]))
    }
  }
  const identity = new IdentityResolver(cfg.identity)
  const needsUser = userTier !== null || rules.some(r => r.key === 'user')
  return {
    ipTier,
    userTier,
    rules,
    needsUser,
    identity,
    allow: compileAddressList(cfg.allowlist),
    deny: compileAddressList(cfg.denylist),
    ban: cfg.bans.enabled ? { strikes: cfg.bans.strikes, withinMs: cfg.bans.within, durationMs: cfg.bans.duration } : null,
    banExempt: cfg.bans.enabled ? compileAddressList(cfg.bans.exempt) : null,
    headers: { standard: cfg.headers, legacy: cfg.legacyHeaders, policies: new Map() },
    ipv6Subnet: cfg.ipv6Subnet,
    maxFormBody: cfg.maxFormBody,
    memoryKeys: cfg.memoryKeys,
    failClosed: cfg.failClosed,
    tierNames: [...(ipTier === null ? [] : ['ip']), ...(userTier === null ? [] : ['user']), ...rules.map(r => r.tier.name)]
  }
}
