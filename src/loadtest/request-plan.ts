// What each virtual user sends next: the --url list in turn, or a weighted pick from the scenario, with templates
// compiled once at start-up.
import type { CookieJar } from './cookie-jar.js'
import type { Scenario } from './scenario.js'
import { compileTemplate, type Template } from './template.js'

export interface CompiledRequest {
  name: string
  method: string
  path: Template
  headers: ReadonlyArray<readonly [string, Template]>
  body: Template | null
  /** null: any status below 400 is success. */
  expect: ReadonlySet<number> | null
}

export interface UserState {
  /** 1-based. */
  index: number
  loggedIn: boolean
  jar: CookieJar | null
}

export interface PreparedRequest {
  name: string
  method: string
  path: string
  headers: Record<string, string>
  body: string | null
  expect: ReadonlySet<number> | null
}

interface WeightedTable {
  requests: CompiledRequest[]
  /** Cumulative weights. */
  cumulative: number[]
  total: number
}

export interface PlainRequestOptions {
  method?: string
  headers?: Record<string, string>
  body?: string
  cookies?: boolean
}

export class RequestPlan {
  readonly cookies: boolean
  readonly login: CompiledRequest | null
  readonly loginShare: number
  readonly names: readonly string[]
  readonly #anonymous: WeightedTable
  readonly #loggedIn: WeightedTable
  #roundRobin = 0
  readonly #weighted: boolean

  private constructor (requests: Array<{ req: CompiledRequest, weight: number, who: 'any' | 'anonymous' | 'loggedIn' }>,
    login: CompiledRequest | null, loginShare: number, cookies: boolean, weighted: boolean) {
    this.cookies = cookies
    this.login = login
    this.loginShare = login === null ? 0 : loginShare
    this.#weighted = weighted
    this.#anonymous = table(requests.filter(r => r.who !== 'loggedIn'))
    this.#loggedIn = table(requests.filter(r => r.who !== 'anonymous'))
    // A scenario whose requests are all for one kind of user still gives the other kind something to do.
    if (this.#anonymous.total === 0) this.#anonymous = this.#loggedIn
    if (this.#loggedIn.total === 0) this.#loggedIn = this.#anonymous
    this.names = [...new Set(requests.map(r => r.req.name).concat(login === null ? [] : [login.name]))]
  }

  /** `--url` mode: the paths of the given URLs (one origin) in turn. */
  static fromUrls (urls: URL[], opts: PlainRequestOptions = {}): RequestPlan {
    const headers = Object.entries(opts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), compileTemplate(v)] as const)
    const reqs = urls.map(u => {
      const path = u.pathname + u.search
      return {
        req: { name: `${opts.method ?? 'GET'} ${path}`, method: opts.method ?? 'GET', path: compileTemplate(path), headers, body: opts.body === undefined ? null : compileTemplate(opts.body), expect: null },
        weight: 1,
        who: 'any' as const
      }
    })
    return new RequestPlan(reqs, null, 0, opts.cookies ?? false, false)
  }

  static fromScenario (s: Scenario): RequestPlan {
    const base = Object.entries(s.headers).map(([k, v]) => [k.toLowerCase(), v] as const)
    const compile = (r: { name?: string, method: string, path: string, headers: Record<string, string>, body: string, expect: number[] }): CompiledRequest => ({
      name: r.name === undefined || r.name === '' ? `${r.method} ${r.path}` : r.name,
      method: r.method,
      path: compileTemplate(r.path),
      headers: mergeHeaders(base, Object.entries(r.headers)).map(([k, v]) => [k, compileTemplate(v)] as const),
      body: r.body === '' ? null : compileTemplate(r.body),
      expect: r.expect.length === 0 ? null : new Set(r.expect)
    })
    const reqs = s.requests.map(r => ({ req: compile(r), weight: r.weight, who: r.who }))
    const login = s.login.share > 0 ? compile({ ...s.login, name: `login ${s.login.path}` }) : null
    return new RequestPlan(reqs, login, s.login.share, s.cookies, true)
  }

  next (user: UserState): CompiledRequest {
    const t = user.loggedIn ? this.#loggedIn : this.#anonymous
    if (!this.#weighted) {
      const r = t.requests[this.#roundRobin % t.requests.length]
      this.#roundRobin++
      return r
    }
    const x = Math.random() * t.total
    let i = 0
    while (i < t.cumulative.length - 1 && t.cumulative[i] <= x) i++
    return t.requests[i]
  }

  /** True for the users that log in first, spread evenly (user 1 of every 1/share). */
  logsIn (user: UserState): boolean {
    if (this.login === null || this.loginShare === 0) return false
    return Math.floor(user.index * this.loginShare) !== Math.floor((user.index - 1) * this.loginShare)
  }

  static prepare (r: CompiledRequest, user: UserState): PreparedRequest {
    const vars = { user: user.index }
    const headers: Record<string, string> = {}
    for (const [k, v] of r.headers) headers[k] = v.constant ?? v.render(vars)
    const cookie = user.jar?.header() ?? null
    if (cookie !== null) headers.cookie = headers.cookie === undefined ? cookie : `${headers.cookie}; ${cookie}`
    return {
      name: r.name,
      method: r.method,
      path: r.path.constant ?? r.path.render(vars),
      headers,
      body: r.body === null ? null : (r.body.constant ?? r.body.render(vars)),
      expect: r.expect
    }
  }
}

function table (entries: Array<{ req: CompiledRequest, weight: number }>): WeightedTable {
  const withWeight = entries.filter(e => e.weight > 0)
  let sum = 0
  const cumulative = withWeight.map(e => (sum += e.weight))
  return { requests: withWeight.map(e => e.req), cumulative, total: sum }
}

function mergeHeaders (base: ReadonlyArray<readonly [string, string]>, extra: Array<[string, string]>): Array<[string, string]> {
  const out = new Map<string, string>(base)
  for (const [k, v] of extra) out.set(k.toLowerCase(), v)
  return [...out]
}
