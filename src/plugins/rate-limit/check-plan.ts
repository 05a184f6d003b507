// Which tiers a request draws from, resolved once per (method, path) and cached (bounded), instead of testing
// every rule per request: a plan lists the tiers in check order with their key prefixes, which id each one counts
// (the client's IP, the user or a form field) and the RateLimit-Policy value of the whole set, built once.
// Only rules with a cookie condition are tested per request, and the plan of each combination of them is cached too.
import { parseCookies } from '../../core/cookies.js'
import { originPath } from '../../core/origin-path.js'
import { BoundedMap } from './bounded-map.js'
import type { RateLimitParams, ResolvedRule } from './options.js'
import type { Tier } from './types.js'

/** What a check counts: the client's IP key, the user (the IP key when anonymous), or a form field of the body. */
export const ID_ANON = 0
export const ID_USER = 1
export const ID_FIELD = 2
export type IdKind = typeof ID_ANON | typeof ID_USER | typeof ID_FIELD

/** Methods remembered (a client may send any token as its method). */
export const MAX_METHODS = 32
/** Paths remembered per method. */
export const MAX_PATHS = 1024
/** Longest raw path remembered; longer ones are resolved per request rather than held in memory. */
export const MAX_PATH_LENGTH = 256
/** Cookie-condition combinations remembered per path (2^rules with a cookie condition, capped). */
const MAX_COOKIE_PLANS = 16

export class CheckPlan {
  /** Tiers in check order: ip, user, then the matching rules in config order. */
  readonly tiers: readonly Tier[]
  /** Per check: its tier's index in the plugin's tier list (ConnectionKeys slot). */
  readonly slots: readonly number[]
  /** Per check: `<keyPrefix><tier>:`; a check's key is this plus its id. */
  readonly keyPrefixes: readonly string[]
  readonly idKinds: readonly IdKind[]
  /** Per check: the form field of an ID_FIELD check, '' otherwise. */
  readonly fields: readonly string[]
  /** Some check keys on a form field: the body must be read first. */
  readonly needsBody: boolean
  /** RateLimit-Policy of the enforced tiers, for a decision with a result for every check (headers.ts). */
  readonly policy: string

  constructor (tiers: Tier[], slots: number[], keyPrefixes: string[], idKinds: IdKind[], fields: string[]) {
    this.tiers = tiers
    this.slots = slots
    this.keyPrefixes = keyPrefixes
    this.idKinds = idKinds
    this.fields = fields
    this.needsBody = idKinds.includes(ID_FIELD)
    let policy = ''
    for (const t of tiers) {
      if (t.dryRun) continue
      if (policy !== '') policy += ', '
      policy += t.policy
    }
    this.policy = policy
  }

  get size (): number {
    return this.tiers.length
  }
}

/** The rules one (method, path) matches, split by whether a cookie condition still has to be tested. */
class PathEntry {
  /** The plan when no matched rule has a cookie condition; null otherwise. */
  readonly plan: CheckPlan | null
  /** Matched rules (indices) with a cookie condition. */
  readonly cookieRules: readonly number[]
  readonly matched: readonly number[]
  /** Plans by the bits (of cookieRules) whose condition passed. */
  readonly byCookies = new Map<number, CheckPlan>()

  constructor (plan: CheckPlan | null, matched: number[], cookieRules: number[]) {
    this.plan = plan
    this.matched = matched
    this.cookieRules = cookieRules
  }
}

class MethodEntry {
  /** Rules (indices) that apply to the method; the path decides among them. */
  readonly rules: readonly number[]
  readonly paths = new BoundedMap<PathEntry>(MAX_PATHS)

  constructor (rules: number[]) {
    this.rules = rules
  }
}

interface PlanRequest {
  readonly method: string
  readonly url: string
  readonly headers: { cookie?: string | string[] }
}

export class CheckPlanner {
  readonly #rules: readonly ResolvedRule[]
  /** ip and user checks, in that order, as every plan starts. */
  readonly #base: { tiers: Tier[], slots: number[], prefixes: string[], kinds: IdKind[] }
  readonly #rulePrefixes: readonly string[]
  readonly #methods = new BoundedMap<MethodEntry>(MAX_METHODS)
  /** The plan of a request no rule applies to (ip and user only). */
  readonly base: CheckPlan
  /** Tier slots: ip 0, user 1, rule i at 2 + i (ConnectionKeys). */
  readonly slotCount: number

  constructor (p: Pick<RateLimitParams, 'ipTier' | 'userTier' | 'rules'>, keyPrefix: string) {
    this.#rules = p.rules
    const base = { tiers: [] as Tier[], slots: [] as number[], prefixes: [] as string[], kinds: [] as IdKind[] }
    if (p.ipTier !== null) {
      base.tiers.push(p.ipTier)
      base.slots.push(0)
      base.prefixes.push(`${keyPrefix}ip:`)
      base.kinds.push(ID_ANON)
    }
    if (p.userTier !== null) {
      base.tiers.push(p.userTier)
      base.slots.push(1)
      base.prefixes.push(`${keyPrefix}user:`)
      base.kinds.push(ID_USER)
    }
    this.#base = base
    this.#rulePrefixes = p.rules.map(r => `${keyPrefix}${r.tier.name}:`)
    this.base = this.#build([])
    this.slotCount = 2 + p.rules.length
  }

  /** Methods remembered (tests: bounded). */
  get cachedMethods (): number {
    return this.#methods.size
  }

  /** Paths remembered over all methods (tests: bounded). */
  get cachedPaths (): number {
    let n = 0
    for (const [, m] of this.#methods.entries()) n += m.paths.size
    return n
  }

  /** The request's plan. */
  planOf (request: PlanRequest): CheckPlan {
    if (this.#rules.length === 0) return this.base
    const method = request.method
    let m = this.#methods.get(method)
    if (m === undefined) {
      m = this.#methodEntry(method)
      // A method is a short token (Node's parser bounds it); only ones of sane length are remembered.
      if (method.length <= 32) this.#methods.set(method, m)
    }
    if (m.rules.length === 0) return this.base
    const url = request.url
    let end = url.indexOf('?')
    if (end === -1) end = url.length
    const hash = url.indexOf('#')
    if (hash !== -1 && hash < end) end = hash
    const raw = end === url.length ? url : url.slice(0, end)
    let e = m.paths.get(raw)
    if (e === undefined) {
      e = this.#pathEntry(m, originPath(url))
      if (raw.length <= MAX_PATH_LENGTH) m.paths.set(raw, e)
    }
    if (e.plan !== null) return e.plan
    return this.#withCookies(e, request.headers.cookie)
  }

  #methodEntry (method: string): MethodEntry {
    const rules: number[] = []
    for (let i = 0; i < this.#rules.length; i++) {
      const ms = this.#rules[i].methods
      if (ms === null || ms.has(method)) rules.push(i)
    }
    return new MethodEntry(rules)
  }

  #pathEntry (m: MethodEntry, path: string): PathEntry {
    const matched: number[] = []
    const cookieRules: number[] = []
    for (const i of m.rules) {
      if (!this.#rules[i].path.test(path)) continue
      matched.push(i)
      if (this.#rules[i].cookies !== null) cookieRules.push(i)
    }
    return new PathEntry(cookieRules.length === 0 ? this.#build(matched) : null, matched, cookieRules)
  }

  #withCookies (e: PathEntry, header: string | string[] | undefined): CheckPlan {
    const pairs = parseCookies(header)
    let bits = 0
    for (let b = 0; b < e.cookieRules.length && b < 31; b++) {
      if ((this.#rules[e.cookieRules[b]].cookies as NonNullable<ResolvedRule['cookies']>).test(pairs)) bits |= 1 << b
    }
    let plan = e.cookieRules.length < 31 ? e.byCookies.get(bits) : undefined
    if (plan !== undefined) return plan
    const rules: number[] = []
    for (const i of e.matched) {
      const c = e.cookieRules.indexOf(i)
      if (c === -1 || (c < 31 ? (bits & (1 << c)) !== 0 : (this.#rules[i].cookies as NonNullable<ResolvedRule['cookies']>).test(pairs))) rules.push(i)
    }
    plan = this.#build(rules)
    if (e.cookieRules.length < 31 && e.byCookies.size < MAX_COOKIE_PLANS) e.byCookies.set(bits, plan)
    return plan
  }

  #build (ruleIdx: readonly number[]): CheckPlan {
    const b = this.#base
    const tiers = b.tiers.slice()
    const slots = b.slots.slice()
    const prefixes = b.prefixes.slice()
    const kinds = b.kinds.slice()
    const fields = b.tiers.map(() => '')
    for (const i of ruleIdx) {
      const r = this.#rules[i]
      tiers.push(r.tier)
      slots.push(2 + i)
      prefixes.push(this.#rulePrefixes[i])
      kinds.push(r.key === 'ip' ? ID_ANON : r.key === 'user' ? ID_USER : ID_FIELD)
      fields.push(r.key === 'field' ? r.field : '')
    }
    return new CheckPlan(tiers, slots, prefixes, kinds, fields)
  }
}
