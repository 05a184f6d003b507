// The per-request pipeline on the proxy route (onRequest, before the cache and the origin): lists, then the
// request's tiers (per IP, per user, matching rules) with their keys, then one limiter decision, then headers and,
// when limited, the rejection. Everything configurable was resolved at start-up (options.ts).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { clientKey } from './client-ip.js'
import { formFieldKey, readBody, readableFormLength } from './form-field.js'
import { setRateLimitHeaders } from './headers.js'
import type { Decision, Limiter } from './limiter.js'
import { BAN_TIER, LIST_TIER, STORE_TIER, type RateLimitMetrics } from './metrics.js'
import type { RateLimitParams } from './options.js'
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

/** Reads a small urlencoded body once (kept for forwarding), for `key: field` rules; stays null when it can't be
 * read (too large, not a form, client gone). */
async function loadBody (request: FastifyRequest, maxBody: number): Promise<void> {
  const len = readableFormLength(request.raw, maxBody)
  if (len === -1) return
  const body = await readBody(request.raw, len)
  if (body !== null) request.sidecar.body = body
}

type Done = (err?: Error) => void

/**
 * The proxy route's hook, callback style: with the memory store, a cached identity and no form field to read, a
 * request is decided synchronously and calls `done` at once, without the promise and the microtask an async hook
 * costs on every request. It waits only where it must (an unverified JWT, a form body, the Redis store).
 */
export function createRateLimitHook (ctx: HookContext): (request: FastifyRequest, reply: FastifyReply, done: Done) => void {
  const { params: p, limiter, metrics, outcome: field } = ctx
  const anonPrefix = 'ip='
  // Key prefixes built once, so a request's keys are one concatenation each.
  const ipKey = `${ctx.keyPrefix}ip:`
  const userKey = `${ctx.keyPrefix}user:`
  const ruleKeys = p.rules.map(r => `${ctx.keyPrefix}${r.tier.name}:`)

  /** The request's checks; null when a `key: field` rule matches and the body has not been read yet. */
  function checksOf (request: FastifyRequest, anon: string, user: string | null, bodyTried: boolean): Check[] | null {
    const checks: Check[] = []
    if (p.ipTier !== null) checks.push({ tier: p.ipTier, id: anon, key: ipKey + anon, want: 1 })
    if (p.userTier !== null) {
      const id = user ?? anon
      checks.push({ tier: p.userTier, id, key: userKey + id, want: 1 })
    }
    const rules = p.rules
    if (rules.length === 0) return checks
    const method = request.method
    let path: string | null = null
    let cookies: CookiePair[] | null = null
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]
      if (rule.methods !== null && !rule.methods.has(method)) continue
      path ??= originPath(request.url)
      if (!rule.path.test(path)) continue
      if (rule.cookies !== null && !rule.cookies.test(cookies ??= parseCookies(request.headers.cookie))) continue
      let id: string
      if (rule.key === 'ip') {
        id = anon
      } else if (rule.key === 'user') {
        id = user ?? anon
      } else {
        const body = request.sidecar.body
        if (body === null && !bodyTried) return null
        id = (body === null ? null : formFieldKey(body, rule.field)) ?? anon
      }
      checks.push({ tier: rule.tier, id, key: ruleKeys[i] + id, want: 1 })
    }
    return checks
  }

  /** `bannable`: the client key bans apply to, null when exempt (`bans.exempt`). */
  function withUser (request: FastifyRequest, reply: FastifyReply, done: Done, now: number, bannable: string | null, anon: string, user: string | null): void {
    const checks = checksOf(request, anon, user, false)
    if (checks !== null) {
      decide(request, reply, done, now, bannable, checks)
      return
    }
    loadBody(request, p.maxFormBody).then(() => {
      decide(request, reply, done, now, bannable, checksOf(request, anon, user, true) as Check[])
    }).catch(done)
  }

  function decide (request: FastifyRequest, reply: FastifyReply, done: Done, now: number, bannable: string | null, checks: Check[]): void {
    const state = request.sidecar
    if (checks.length === 0) {
      field.set(state, 'allowed')
      done()
      return
    }
    const pending = limiter.decide(bannable, checks, now)
    if (isPromise(pending)) {
      pending.then(d => { finish(state, reply, done, checks, d) }).catch(done)
      return
    }
    finish(state, reply, done, checks, pending)
  }

  /** Applies the decision: a rejection answers (and `done` is not called), otherwise headers and `done`. */
  function finish (state: FastifyRequest['sidecar'], reply: FastifyReply, done: Done, checks: Check[], d: Decision): void {
    if (d.verdict === 'banned') {
      field.set(state, 'banned')
      metrics.count(BAN_TIER, 'banned')
      reject(reply, 'banned', d.retryMs, [])
      return
    }
    if (d.verdict === 'unavailable') {
      field.set(state, 'unavailable')
      metrics.count(STORE_TIER, 'unavailable')
      reject(reply, 'unavailable', 0, [])
      return
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
    if (p.headers.standard || p.headers.legacy) setRateLimitHeaders(state, checks, d.results, p.headers)
    if (d.verdict === 'limited') {
      field.set(state, 'limited')
      reject(reply, 'limited', d.retryMs, violated ?? [])
      return
    }
    field.set(state, wouldLimit ? 'dry_run_would_limit' : 'allowed')
    done()
  }

  return function sipupRateLimit (request: FastifyRequest, reply: FastifyReply, done: Done): void {
    const state = request.sidecar
    const ip = request.ip
    const listed = listVerdict(p, ip)
    if (listed !== null) {
      field.set(state, listed)
      metrics.count(LIST_TIER, listed)
      if (listed === 'denied') reject(reply, 'denied', 0, [])
      else done()
      return
    }
    const now = ctx.now()
    const client = clientKey(ip, p.ipv6Subnet)
    const anon = anonPrefix + client
    const bannable = p.banExempt === null || !p.banExempt.has(ip) ? client : null
    if (!p.needsUser) {
      withUser(request, reply, done, now, bannable, anon, null)
      return
    }
    const u = p.identity.resolve(request.headers, now)
    if (isPromise(u)) {
      u.then(user => { withUser(request, reply, done, now, bannable, anon, user) }).catch(done)
      return
    }
    withUser(request, reply, done, now, bannable, anon, u)
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
    if (p.headers.standard || p.headers.legacy) setRateLimitHeaders(state, checks, d.results, p.headers)
    if (d.verdict === 'limited' || d.verdict === 'banned') {
      field.set(state, 'limited')
      metrics.count(tier.name, 'limited')
      return reject(reply, 'limited', d.retryMs, [tier.name])
    }
    field.set(state, 'allowed')
    metrics.count(tier.name, 'allowed')
  }
}
