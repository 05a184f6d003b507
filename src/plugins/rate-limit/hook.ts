// The per-request pipeline on the proxy route (onRequest, before the cache and the origin): lists, then the
// request's tiers (per IP, per user, matching rules) with their keys, then one limiter decision, then headers and,
// when limited, the rejection. Everything configurable was resolved at start-up (options.ts).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { clientAddress, clientKey } from './client-ip.js'
import type { AddressList } from '../../config/address-list.js'
import { formFieldKey, readBody, readableFormLength } from './form-field.js'
import { setRateLimitHeaders } from './headers.js'
import type { Decision, Limiter } from './limiter.js'
import { BAN_TIER, LIST_TIER, STORE_TIER, type RateLimitMetrics } from './metrics.js'
import type { RateLimitParams } from './options.js'
import { CheckPlanner, ID_ANON, ID_USER, type CheckPlan } from './check-plan.js'
import { kRateLimitKeys } from '../../symbols.js'
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
  /** server.trustProxy, for the client address without Fastify's per-request parsing (clientAddress); absent: the
   * hook reads `request.ip`. */
  readonly trust?: AddressList | null
}

type MaybePromise<T> = T | Promise<T>

/** Ids of anonymous clients: `ip=<client key>`. */
const ANON_PREFIX = 'ip='
/** A rejection without violated policies (shared: never mutated). */
const NO_POLICIES: readonly string[] = Object.freeze([])

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
 * Per client connection: the client's key and list verdict for the address last seen on it, and the store key last
 * built per tier slot (CheckPlanner.slotCount), so a keep-alive connection reuses the same strings request after
 * request (no concatenation, and a reused string keeps the hash the stores' Maps computed for it). A new address
 * (a trusted proxy forwarding many clients) or id replaces the entry; every field is set here (stable shape).
 */
class ConnectionKeys {
  /** Whether the peer is a trusted proxy (server.trustProxy), null until the first request asks. */
  peerTrusted: boolean | null = null
  ip: string | null = null
  client = ''
  anon = ''
  bannable: string | null = null
  listed: 'denied' | 'allowlisted' | null = null
  readonly ids: (string | null)[]
  readonly keys: string[]

  constructor (slots: number) {
    this.ids = new Array<string | null>(slots).fill(null)
    this.keys = new Array<string>(slots).fill('')
  }
}

type KeyedSocket = { [kRateLimitKeys]?: ConnectionKeys } | null | undefined

/** The object that stands for the client connection: the socket, or for HTTP/2 the session (a stream's `socket` is
 * a proxy that throws on writes once the stream is gone); null when there is none any more. */
function connectionOf (raw: FastifyRequest['raw']): object | null {
  const stream = (raw as { stream?: { session?: object | null } }).stream
  if (stream !== undefined) return stream.session ?? null
  return raw.socket ?? null
}

function connectionKeys (socket: KeyedSocket, slots: number): ConnectionKeys {
  if (socket === null || socket === undefined) return new ConnectionKeys(slots)
  let c = socket[kRateLimitKeys]
  if (c === undefined) {
    c = new ConnectionKeys(slots)
    socket[kRateLimitKeys] = c
  }
  return c
}

/** The request's checks from its plan; the `key: field` ids from the body read before (anon when it has none). */
function checksOf (plan: CheckPlan, conn: ConnectionKeys, anon: string, user: string | null, body: Buffer | null): Check[] {
  const n = plan.size
  const checks = new Array<Check>(n)
  const ids = conn.ids
  const keys = conn.keys
  for (let i = 0; i < n; i++) {
    const kind = plan.idKinds[i]
    const id = kind === ID_ANON
      ? anon
      : kind === ID_USER ? user ?? anon : (body === null ? null : formFieldKey(body, plan.fields[i])) ?? anon
    const slot = plan.slots[i]
    let key: string
    if (ids[slot] === id) {
      key = keys[slot]
    } else {
      key = plan.keyPrefixes[i] + id
      ids[slot] = id
      keys[slot] = key
    }
    checks[i] = { tier: plan.tiers[i], id, key, want: 1 }
  }
  return checks
}

/**
 * The proxy route's hook, callback style: with the memory store, a cached identity and no form field to read, a
 * request is decided synchronously and calls `done` at once, without the promise and the microtask an async hook
 * costs on every request. It waits only where it must (an unverified JWT, a form body, the Redis store).
 */
export function createRateLimitHook (ctx: HookContext): (request: FastifyRequest, reply: FastifyReply, done: Done) => void {
  const { params: p, limiter, metrics, outcome: field } = ctx
  const planner = new CheckPlanner(p, ctx.keyPrefix)
  const slots = planner.slotCount
  const headersOn = p.headers.standard || p.headers.legacy
  const trust = ctx.trust

  /** `bannable`: the client key bans apply to, null when exempt (`bans.exempt`). */
  function withUser (request: FastifyRequest, reply: FastifyReply, done: Done, now: number, conn: ConnectionKeys, user: string | null): void {
    const plan = planner.planOf(request)
    const body = request.sidecar.body
    if (!plan.needsBody || body !== null) {
      decide(request, reply, done, now, conn.bannable, plan, checksOf(plan, conn, conn.anon, user, body))
      return
    }
    // Snapshot what the decision needs: the connection's entry may move on to another client meanwhile.
    const anon = conn.anon
    const bannable = conn.bannable
    loadBody(request, p.maxFormBody).then(() => {
      decide(request, reply, done, now, bannable, plan, checksOf(plan, conn, anon, user, request.sidecar.body))
    }).catch(done)
  }

  function decide (request: FastifyRequest, reply: FastifyReply, done: Done, now: number, bannable: string | null, plan: CheckPlan, checks: Check[]): void {
    const state = request.sidecar
    if (checks.length === 0) {
      field.set(state, 'allowed')
      done()
      return
    }
    const pending = limiter.decide(bannable, checks, now)
    if (isPromise(pending)) {
      pending.then(d => { finish(state, reply, done, plan, checks, d) }).catch(done)
      return
    }
    finish(state, reply, done, plan, checks, pending)
  }

  /** Applies the decision: a rejection answers (and `done` is not called), otherwise headers and `done`. */
  function finish (state: FastifyRequest['sidecar'], reply: FastifyReply, done: Done, plan: CheckPlan, checks: Check[], d: Decision): void {
    if (d.verdict === 'banned') {
      field.set(state, 'banned')
      metrics.count(BAN_TIER, 'banned')
      reject(reply, 'banned', d.retryMs, NO_POLICIES)
      return
    }
    if (d.verdict === 'unavailable') {
      field.set(state, 'unavailable')
      metrics.count(STORE_TIER, 'unavailable')
      reject(reply, 'unavailable', 0, NO_POLICIES)
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
    if (headersOn) setRateLimitHeaders(state, checks, d.results, p.headers, plan.policy)
    if (d.verdict === 'limited') {
      field.set(state, 'limited')
      reject(reply, 'limited', d.retryMs, violated ?? NO_POLICIES)
      return
    }
    field.set(state, wouldLimit ? 'dry_run_would_limit' : 'allowed')
    done()
  }

  return function sipupRateLimit (request: FastifyRequest, reply: FastifyReply, done: Done): void {
    const state = request.sidecar
    const connection = connectionOf(request.raw)
    const conn = connectionKeys(connection as KeyedSocket, slots)
    let ip: string
    if (trust === undefined) {
      ip = request.ip
    } else {
      let trusted = conn.peerTrusted
      if (trusted === null) {
        trusted = trust !== null && trust.has(request.raw.socket?.remoteAddress ?? '')
        conn.peerTrusted = trusted
      }
      ip = clientAddress(request, trusted)
    }
    if (conn.ip !== ip) {
      // The lists, the client key and the ban exemption depend on the address alone: decided once per address.
      const client = clientKey(ip, p.ipv6Subnet)
      conn.ip = ip
      conn.client = client
      conn.anon = ANON_PREFIX + client
      conn.bannable = p.banExempt === null || !p.banExempt.has(ip) ? client : null
      conn.listed = listVerdict(p, ip)
    }
    const listed = conn.listed
    if (listed !== null) {
      field.set(state, listed)
      metrics.count(LIST_TIER, listed)
      if (listed === 'denied') reject(reply, 'denied', 0, NO_POLICIES)
      else done()
      return
    }
    const now = ctx.now()
    if (!p.needsUser) {
      withUser(request, reply, done, now, conn, null)
      return
    }
    const u = p.identity.resolve(request.headers, now, connection)
    if (isPromise(u)) {
      u.then(user => { withUser(request, reply, done, now, conn, user) }).catch(done)
      return
    }
    withUser(request, reply, done, now, conn, u)
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
