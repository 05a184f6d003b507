// Compiles `cache.rules` once at start-up into matchers; per request only the first matching rule is looked up.
import { CookieCondition, CookiePatterns, type CookiePair } from '../../core/cookies.js'
import { SIPUP_ERR_CACHE_RULE_INVALID } from '../../errors.js'
import { compileGlob, compilePathGlob, compilePathRegex, pathRegexProblem, type PathMatcher, type PathMatchOptions } from '../../core/origin-path.js'
import { OVERRIDE_STATUSES } from './policy.js'
import type { CacheRuleConfig } from './schema.js'

export type Scope = 'shared' | 'per-user' | 'context'

export interface CompiledRule {
  readonly name: string
  readonly index: number
  /** Cache key part that keeps the rule's entries apart from other rules'. */
  readonly keyPart: string
  readonly path: PathMatcher | null
  readonly host: RegExp | null
  readonly get: boolean
  readonly head: boolean
  readonly query: ReadonlyArray<readonly [string, RegExp]>
  /** `cookies: {present, absent}`, null when the rule has none. */
  readonly cookies: CookieCondition | null
  readonly ttl: number
  readonly override: boolean
  readonly statuses: ReadonlySet<number>
  readonly notFoundTtl: number
  readonly anonymousOnly: boolean
  readonly stripSetCookie: boolean
  /** `vary.cookies`: names and globs of the cookies whose names and values join the key. */
  readonly varyCookies: CookiePatterns
  readonly varyHeaders: readonly string[]
  readonly scope: Scope
  readonly bypass: boolean
  readonly grace: number
}

/** `*` matches any run of characters (slashes too), `?` one character; everything else is literal. */
export function globToRegExp (glob: string, flags = ''): RegExp {
  return compileGlob(glob, 'any', flags)
}

/** A rule's name: its `name`, or `rule<N>` counted from 1 (metrics, logs, Cache-Status and the dashboard). */
export function ruleName (r: { readonly name: string }, i: number): string {
  return r.name === '' ? `rule${i + 1}` : r.name
}

/** What rules need to know about the origin's paths (the core's `origin` section). */
export interface OriginPaths {
  readonly caseInsensitivePaths: boolean
  readonly pathInfo: boolean
}

const DEFAULT_ORIGIN: OriginPaths = { caseInsensitivePaths: false, pathInfo: true }

export function compileRules (rules: readonly CacheRuleConfig[], origin: OriginPaths = DEFAULT_ORIGIN): CompiledRule[] {
  return rules.map((r, i) => compileRule(r, i, origin))
}

function compileRule (r: CacheRuleConfig, i: number, origin: OriginPaths): CompiledRule {
  const where = `cache.rules[${i}]`
  const fail = (key: string, expected: string, got: unknown): never => {
    throw new SIPUP_ERR_CACHE_RULE_INVALID(`${where}.${key}`, expected, JSON.stringify(got))
  }
  if (r.path !== '' && r.pathRegex !== '') fail('pathRegex', 'either path or pathRegex, not both', r.pathRegex)
  // A bypass over-matching is the safe side, so it ignores case; a storing rule follows the origin.
  const pathOpts: PathMatchOptions = { caseInsensitive: r.bypass || origin.caseInsensitivePaths, pathInfo: origin.pathInfo }
  let path: PathMatcher | null = null
  if (r.pathRegex !== '') {
    const problem = pathRegexProblem(r.pathRegex)
    if (problem !== null) {
      // The reason goes with the pattern: `got '"(?=x)"; RE2: invalid or unsupported Perl syntax'`.
      throw new SIPUP_ERR_CACHE_RULE_INVALID(`${where}.pathRegex`, 'a regular expression in RE2 syntax (matched in ' +
        'linear time, so no lookaround or backreferences)', `${JSON.stringify(r.pathRegex)}; RE2: ${problem}`)
    }
    path = compilePathRegex(r.pathRegex, pathOpts)
  } else if (r.path !== '') {
    if (!r.path.startsWith('/') && !r.path.startsWith('*')) fail('path', 'a glob starting with /', r.path)
    path = compilePathGlob(r.path, 'any', pathOpts)
  }
  if (r.stripSetCookie && !r.anonymousOnly) {
    fail('stripSetCookie', 'anonymousOnly: true alongside it (stripping a logged-in user\'s Set-Cookie would ' +
      'log them out or share their page)', r.stripSetCookie)
  }
  if (r.override && r.ttl <= 0 && !r.bypass) fail('ttl', 'a duration > 0 with override: true', r.ttl)
  for (const st of r.statuses) {
    if (!OVERRIDE_STATUSES.has(st)) fail('statuses', `statuses from ${[...OVERRIDE_STATUSES].join(', ')}`, st)
  }
  if (r.scope !== 'shared' && r.anonymousOnly) fail('scope', '"shared" with anonymousOnly: true', r.scope)
  if (r.methods.length === 0) fail('methods', 'at least one of GET, HEAD', r.methods)
  const name = ruleName(r, i)
  return {
    name,
    index: i,
    keyPart: `r:${name.replace(/[\t;]/g, '_')};`,
    path,
    host: r.host === '' ? null : globToRegExp(r.host.toLowerCase()),
    get: r.methods.includes('GET'),
    head: r.methods.includes('HEAD'),
    query: Object.entries(r.query).map(([k, v]) => [k, globToRegExp(v)] as const),
    cookies: CookieCondition.compile(r.cookies),
    ttl: r.ttl,
    override: r.override,
    statuses: new Set(r.statuses),
    notFoundTtl: r.notFoundTtl,
    anonymousOnly: r.anonymousOnly,
    stripSetCookie: r.stripSetCookie,
    varyCookies: new CookiePatterns(r.vary.cookies),
    varyHeaders: r.vary.headers.map(h => h.toLowerCase()),
    scope: r.scope,
    bypass: r.bypass,
    grace: r.grace
  }
}

export interface RuleInput {
  method: string
  /** The path as the origin reads it (`originPath()`). */
  path: string
  host: string
  /** Raw query string without `?` ('' when none). */
  query: string
  /** True when the request carries the session cookie or Authorization. */
  identified: boolean
  /** The request's cookies (src/core/cookies.ts parseCookies). */
  cookies: readonly CookiePair[]
}

/** First rule that matches, or null. anonymousOnly rules are skipped for identified requests. */
export function matchRule (rules: readonly CompiledRule[], input: RuleInput): CompiledRule | null {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]
    if (input.method === 'GET' ? !r.get : !r.head) continue
    if (r.anonymousOnly && input.identified) continue
    if (r.path !== null && !r.path.test(input.path)) continue
    if (r.host !== null && !r.host.test(input.host)) continue
    if (r.query.length > 0 && !queryMatches(r.query, input.query)) continue
    if (r.cookies !== null && !r.cookies.test(input.cookies)) continue
    return r
  }
  return null
}

function queryMatches (want: CompiledRule['query'], query: string): boolean {
  if (query === '') return false
  const params = new URLSearchParams(query)
  for (const [name, re] of want) {
    const v = params.get(name)
    if (v === null || !re.test(v)) return false
  }
  return true
}
