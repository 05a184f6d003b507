// The one Cookie header parser of the sidecar (cache and rate limits both decide who a visitor is from it, so a
// disagreement between two parsers is a way to be counted as one user and served as another).
//
// What it reads, RFC 6265 §4.2 and §5.4 as browsers send it, and as PHP reads it:
// - every Cookie header occurrence (Node joins repeated ones with "; "; an array is joined the same way);
// - every `name=value` pair, separated by ";" with optional spaces or tabs; pairs without "=" are skipped;
// - a value in double quotes is unquoted (`n="v"` is `v`);
// - names compare case-sensitively. PHP also percent-decodes names and turns " " and "." into "_"
//   (`PHPSESS%49D`, `PHP.SESSID` reach PHP as `PHPSESSID`), so a pattern matches a name as sent or as PHP sees it.
//   Otherwise a client could hide its session from the cache while the origin still reads it.

export interface CookiePair {
  /** The name as sent (trimmed). */
  readonly name: string
  readonly value: string
  /** The name as PHP registers it (phpCookieName), computed once per pair. */
  readonly php: string
}

/** Characters PHP changes in a cookie name (most names have none: one regex test, no allocation). */
const PHP_CHANGES = /[%. ]/

/** Longest Cookie header text parsed; the rest is ignored (Node's header limit keeps real ones far below). */
const MAX_COOKIE_TEXT = 64 * 1024

/** All pairs of the Cookie header(s), in order. Duplicate names are kept. */
export function parseCookies (header: string | readonly string[] | undefined): CookiePair[] {
  const out: CookiePair[] = []
  if (header === undefined) return out
  const text = typeof header === 'string' ? header : header.join('; ')
  const len = Math.min(text.length, MAX_COOKIE_TEXT)
  let i = 0
  while (i < len) {
    let end = text.indexOf(';', i)
    if (end === -1 || end > len) end = len
    const eq = text.indexOf('=', i)
    if (eq !== -1 && eq < end) {
      const name = trim(text, i, eq)
      if (name !== '') out.push({ name, value: unquote(trim(text, eq + 1, end)), php: phpCookieName(name) })
    }
    i = end + 1
  }
  return out
}

/** The name PHP registers in $_COOKIE for a name as sent (percent-decoded, " " and "." as "_"). */
export function phpCookieName (name: string): string {
  if (!PHP_CHANGES.test(name)) return name
  let n = name
  if (n.includes('%')) {
    try { n = decodeURIComponent(n) } catch { /* malformed escapes stay as sent, as PHP leaves them */ }
  }
  return n.includes(' ') || n.includes('.') ? n.replace(/[ .]/g, '_') : n
}

/** A config value that is one name or glob, or a list of them, as a list ('' = none). */
export function cookieNameList (v: string | readonly string[]): string[] {
  if (typeof v === 'string') return v === '' ? [] : [v]
  return v.filter(n => n !== '')
}

/** True when the name has glob characters (`*`, `?`). */
export function isCookieGlob (pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?')
}

/**
 * A list of cookie names and globs (`*` any run of characters, `?` one), compiled once. Order matters for
 * `first()`: the first pattern that matches a cookie wins, so `[app_session, SESS*]` prefers `app_session`.
 */
export class CookiePatterns {
  readonly patterns: readonly string[]
  readonly #tests: ReadonlyArray<(name: string) => boolean>
  /** All patterns are exact names: one set lookup answers test() (their PHP forms included). */
  readonly #exact: ReadonlySet<string> | null

  constructor (patterns: readonly string[]) {
    this.patterns = [...patterns]
    this.#tests = patterns.map(p => {
      if (!isCookieGlob(p)) {
        const exact = phpCookieName(p)
        return (name: string) => name === p || name === exact
      }
      const re = globRegExp(p)
      return (name: string) => re.test(name)
    })
    this.#exact = patterns.some(isCookieGlob) ? null : new Set(patterns.flatMap(p => [p, phpCookieName(p)]))
  }

  get empty (): boolean {
    return this.#tests.length === 0
  }

  /** True when `name` (as sent or as PHP sees it) matches any pattern. */
  test (name: string): boolean {
    return this.#matches(name, phpCookieName(name))
  }

  /** True when a cookie matching any pattern is present with a non-empty value. */
  anyPresent (pairs: readonly CookiePair[]): boolean {
    for (const p of pairs) if (p.value !== '' && this.#matches(p.name, p.php)) return true
    return false
  }

  /**
   * The identity: for the first pattern that matches a present, non-empty cookie, every value of the cookies it
   * matches (in header order, joined by ";"), so `NAME=a; NAME=b` is never keyed as `NAME=a`. Undefined when none.
   */
  first (pairs: readonly CookiePair[]): string | undefined {
    for (const t of this.#tests) {
      let found: string | undefined
      for (const p of pairs) {
        if (p.value === '') continue
        if (t(p.name) || (p.php !== p.name && t(p.php))) found = found === undefined ? p.value : `${found};${p.value}`
      }
      if (found !== undefined) return found
    }
    return undefined
  }

  /** Every present cookie that matches, as `name=value` (sorted, so the order the client sends doesn't matter). */
  matching (pairs: readonly CookiePair[]): string[] {
    const out: string[] = []
    for (const p of pairs) if (this.#matches(p.name, p.php)) out.push(`${p.php}=${p.value}`)
    return out.sort()
  }

  #matches (name: string, php: string): boolean {
    const exact = this.#exact
    if (exact !== null) return exact.has(name) || exact.has(php)
    for (const t of this.#tests) if (t(name) || (php !== name && t(php))) return true
    return false
  }
}

/**
 * True when every Set-Cookie only re-sends one of the request's own cookies that `patterns` names (the session),
 * with the value the request sent and without deleting it: PHP does that on every page when
 * `session.cookie_lifetime > 0`. Such a response is still the requester's own page; anything else (a new or
 * changed value, a deletion, another cookie) is not.
 */
export function resendsOwnCookies (setCookie: string | readonly string[], request: readonly CookiePair[],
  patterns: CookiePatterns, now: number): boolean {
  const list = typeof setCookie === 'string' ? [setCookie] : setCookie
  if (list.length === 0) return false
  for (const line of list) {
    const semi = line.indexOf(';')
    const pair = semi === -1 ? line : line.slice(0, semi)
    const eq = pair.indexOf('=')
    if (eq === -1) return false
    const name = pair.slice(0, eq).trim()
    const value = unquote(pair.slice(eq + 1).trim())
    if (value === '' || !patterns.test(name)) return false
    if (!request.some(p => p.name === name && p.value === value)) return false
    if (semi !== -1 && deletes(line.slice(semi + 1), now)) return false
  }
  return true
}

/** The attributes expire the cookie now (Max-Age <= 0, or Expires in the past). */
function deletes (attributes: string, now: number): boolean {
  for (const raw of attributes.split(';')) {
    const eq = raw.indexOf('=')
    if (eq === -1) continue
    const key = raw.slice(0, eq).trim().toLowerCase()
    const v = raw.slice(eq + 1).trim()
    if (key === 'max-age' && !(Number(v) > 0)) return true
    if (key === 'expires') {
      const t = Date.parse(v)
      if (Number.isNaN(t) || t <= now) return true
    }
  }
  return false
}

/** The Cookie header text without the pairs whose names match (the others kept as sent). */
export function withoutCookies (header: string, patterns: CookiePatterns): string {
  const kept: string[] = []
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    const name = (eq === -1 ? part : part.slice(0, eq)).trim()
    if (eq !== -1 && patterns.test(name)) continue
    const t = part.trim()
    if (t !== '') kept.push(t)
  }
  return kept.join('; ')
}

function globRegExp (glob: string): RegExp {
  let src = '^'
  for (const ch of glob) {
    if (ch === '*') src += '.*'
    else if (ch === '?') src += '.'
    else src += ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&')
  }
  return new RegExp(src + '$')
}

function trim (text: string, from: number, to: number): string {
  let a = from
  let b = to
  while (a < b && (text.charCodeAt(a) === 32 || text.charCodeAt(a) === 9)) a++
  while (b > a && (text.charCodeAt(b - 1) === 32 || text.charCodeAt(b - 1) === 9)) b--
  return text.slice(a, b)
}

function unquote (v: string): string {
  return v.length >= 2 && v.charCodeAt(0) === 34 && v.charCodeAt(v.length - 1) === 34 ? v.slice(1, -1) : v
}

/** A rule's `cookies: {present, absent}` condition, as configured. */
export interface CookieConditionConfig {
  readonly present: readonly string[]
  readonly absent: readonly string[]
}

/**
 * A rule's cookie condition: it holds when at least one `present` name or glob matches a cookie with a value
 * (an empty `present` always holds) and no `absent` one does. Null from compile() when both lists are empty,
 * so a rule without one costs nothing per request.
 */
export class CookieCondition {
  readonly #present: CookiePatterns | null
  readonly #absent: CookiePatterns | null

  private constructor (cfg: CookieConditionConfig) {
    this.#present = cfg.present.length === 0 ? null : new CookiePatterns(cfg.present)
    this.#absent = cfg.absent.length === 0 ? null : new CookiePatterns(cfg.absent)
  }

  static compile (cfg: CookieConditionConfig): CookieCondition | null {
    return cfg.present.length === 0 && cfg.absent.length === 0 ? null : new CookieCondition(cfg)
  }

  test (pairs: readonly CookiePair[]): boolean {
    if (this.#present !== null && !this.#present.anyPresent(pairs)) return false
    return this.#absent === null || !this.#absent.anyPresent(pairs)
  }
}
