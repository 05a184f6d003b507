// The per-request pipeline on the proxy route (onRequest, before the cache and the origin): lists, then the
// request's tiers (per IP, per user, matching rules) with their keys, then one limiter decision, then headers and,
// when limited, the rejection. Everything configurable was resolved at start-up (options.ts).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { clientKey } from './client-ip.js'
import { formFieldKey, readBody, readableFormLength } from './form-field.js'
import { setRateLimitHeaders } from './headers.js'
import type { Limiter } from './limiter.js'
import { BAN_TIER, LIST_TIER, STORE_TIER, type RateLimitMetrics } from './metrics.js'
import type { RateLimitParams, ResolvedRule } from './options.js'
import { parseCookies, type CookiePair } from '../../core/cookies.js'
import { originPath } from '../../core/origin-path.js'
import { reject } from './response.js'
import type { Check, CheckResult, Outcome, Tier } from './types.js'
import type { RequestField } from '../../core/types.js'

export interface HookContext {
  readonly params: RateLimitParams
  readonly limiter: Limiter
  readonly metrics: RateLimitMetrics
  /** Prefix of every store key (`redis.keyPrefix` + `rl:`); a tier's keys are `<prefix><tier>:<id>`. */
  readonly keyPrefix: string
  readonly now: () => number
  /** The `rateLimit` request field (access log): the request's outcome. */
  readonly outcome: RequestField
}

type MaybePromise<T> = T | Promise<T>

function isPromise<T> (v: MaybePromise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function'
}

/** Key of a `key: field` rule: the field's value, read from a small urlencoded body (kept for forwarding). */
async function fieldId (request: FastifyRequest, rule: ResolvedRule, maxBody: number): Promise<string | null> {
  const state = request.sidecar
  let body = state.body
  if (body === null) {
    const len = readableFormLength(request.raw, maxBody)
    if (len === -1) return null
    body = await readBody(request.raw, len)
    if (body === null) return null
    state.body = body
  }
  return formFieldKey(body, rule.field)
}

export function createRateLimitHook (ctx: HookContext): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
  const { params: p, limiter, metrics, outcome: field } = ctx
  const anonPrefix = 'ip='
  // Key prefixes built once, so a request's keys are one concatenation each.
  const ipKey = `${ctx.keyPrefix}ip:`
  const userKey = `${ctx.keyPrefix}user:`
  const ruleKeys = p.rules.map(r => `${ctx.keyPrefix}${r.tier.name}:`)

  return async function sipupRateLimit (request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const state = request.sidecar
    const ip = request.ip
    const listed = listVerdict(p, ip)
    if (listed !== null) {
      field.set(state, listed)
      metrics.count(LIST_TIER, listed)
      return listed === 'denied' ? reject(reply, 'denied', 0, []) : undefined
    }

    const now = ctx.now()
    const client = clientKey(ip, p.ipv6Subnet)
    const checks: Check[] = []
    const anon = anonPrefix + client
    if (p.ipTier !== null) checks.push({ tier: p.ipTier, id: anon, key: ipKey + anon, want: 1 })
    let user: string | null = null
    if (p.needsUser) {
      const u = p.identity.resolve(request.headers, now)
      user = isPromise(u) ? await u : u
    }
    if (p.userTier !== null) {
      const id = user ?? anon
      checks.push({ tier: p.userTier, id, key: userKey + id, want: 1 })
    }
    const rules = p.rules
    if (rules.length > 0) {
      const method = request.method
      let path: string | null = null
      let cookies: CookiePair[] | null = null
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i]
        if (rule.methods !== null && !rule.methods.has(method)) continue
        path ??= originPath(request.url)
        if (!rule.path.test(path)) continue
        if (rule.cookies !== null && !rule.cookies.test(cookies ??= parseCookies(request.headers.cookie))) continue
        const id = rule.key === 'ip'
          ? anon
          : rule.key === 'user' ? user ?? anon : (await fieldId(request, rule, p.maxFormBody)) ?? anon
        checks.push({ tier: rule.tier, id, key: ruleKeys[i] + id, want: 1 })
      }
    }
    if (checks.length === 0) {
      field.set(state, 'allowed')
      return
    }

    const bannable = p.banExempt === null || !p.banExempt.has(ip) ? client : null
    const pending = limiter.decide(bannable, checks, now)
    const d = isPromise(pending) ? await pending : pending
    if (d.verdict === 'banned') {
      field.set(state, 'banned')
      metrics.count(BAN_TIER, 'banned')
      return reject(reply, 'banned', d.retryMs, [])
    }
    if (d.verdict === 'unavailable') {
      field.set(state, 'unavailable')
      metrics.count(STORE_TIER, 'unavailable')
      return reject(reply, 'unavailable', 0, [])
    }

    let wouldLimit = false
    let violated: string[] | null = null
    for (let i = 0; i < checks.length; i++) {
      const r: CheckResult | null | undefined = d.results[i]
      if (r === null || r === undefined) continue
      const tier = checks[i].tier
      const hadRoom = r.granted > 0 || r.remaining > 0
      let outcome: Outcome = 'allowed'
      if (!hadRoom) {
        if (tier.dryRun) {
          outcome = 'dry_run_would_limit'
          wouldLimit = true
        } else {
          outcome = 'limited'
          ;(violated ??= []).push(tier.name)
        }
      }
      metrics.count(tier.name, outcome)
    }
    if (p.headers.standard || p.headers.legacy) setRateLimitHeaders(reply.raw, checks, d.results, p.headers)
    if (d.verdict === 'limited') {
      field.set(state, 'limited')
      return reject(reply, 'limited', d.retryMs, violated ?? [])
    }
    field.set(state, wouldLimit ? 'dry_run_would_limit' : 'allowed')
  }
}

/** The limit a route group declares (e.g. the job endpoint): per client IP, on the group's own key space.
 * `tiers` (group name to tier) is filled at ready, once the groups are mounted. */
/** The allow and deny lists decide before any tier: `denied`, `allowlisted`, or null when the tiers decide. */
function listVerdict (p: HookContext['params'], ip: string): 'denied' | 'allowlisted' | null {
  if (p.deny !== null && p.deny.has(ip)) return 'denied'
  if (p.allow !== null && p.allow.has(ip)) return 'allowlisted'
  return null
}

export function createGroupLimitHook (ctx: HookContext, tiers: ReadonlyMap<string, Tier>): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
  const { params: p, limiter, metrics, outcome: field } = ctx
  return async function sipupGroupRateLimit (request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const state = request.sidecar
    const tier = tiers.get(state.route)
    if (tier === undefined) return
    const ip = request.ip
    const listed = listVerdict(p, ip)
    if (listed !== null) {
      field.set(state, listed)
      metrics.count(LIST_TIER, listed)
      return listed === 'denied' ? reject(reply, 'denied', 0, []) : undefined
    }
    const client = clientKey(ip, p.ipv6Subnet)
    const id = `ip=${client}`
    const checks: Check[] = [{ tier, id, key: `${ctx.keyPrefix}${tier.name}:${id}`, want: 1 }]
    const bannable = p.banExempt === null || !p.banExempt.has(ip) ? client : null
    const pending = limiter.decide(bannable, checks, ctx.now())
    const d = isPromise(pending) ? await pending : pending
    if (d.verdict === 'unavailable') {
      field.set(state, 'unavailable')
      metrics.count(STORE_TIER, 'unavailable')
      return reject(reply, 'unavailable', 0, [])
    }
    if (p.headers.standard || p.headers.legacy) setRateLimitHeaders(reply.raw, checks, d.results, p.headers)
    if (d.verdict === 'limited' || d.verdict === 'banned') {
      field.set(state, 'limited')
      metrics.count(tier.name, 'limited')
      return reject(reply, 'limited', d.retryMs, [tier.name])
    }
    field.set(state, 'allowed')
    metrics.count(tier.name, 'allowed')
  }
}
