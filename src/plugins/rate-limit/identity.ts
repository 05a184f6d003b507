// Who the user is, for the per-user limit and `key: user` rules. Tried strongest first: a verified JWT's `sub`,
// HTTP Basic credentials, a configured header, the session cookie. Values that are secrets (session ids, API
// keys, passwords) are hashed before they become store keys, so Redis never holds them.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { jwtVerify, type JWTVerifyOptions } from 'jose'
import { cookieNameList, CookiePatterns, parseCookies } from '../../core/cookies.js'
import { SIPUP_ERR_RATELIMIT_CONFIG } from '../../errors.js'
import { kRateLimitIdentity } from '../../symbols.js'
import { BoundedMap } from './bounded-map.js'
import type { RateLimitSection } from './schema.js'

type IdentityConfig = RateLimitSection['identity']

/** Verified tokens are remembered (bounded) so a client reusing its token costs one verification. */
const JWT_CACHE_SIZE = 10_000
/** How long a token that failed verification is remembered as anonymous. */
const JWT_NEGATIVE_TTL_MS = 60_000
/** Longest token looked at; longer ones are anonymous without parsing. */
const MAX_TOKEN_LENGTH = 8192

/** Digests of session ids, API keys and Basic credentials remembered (bounded): a returning client costs a Map
 * lookup instead of a SHA-256. */
const DIGEST_CACHE_SIZE = 10_000
/** Longest raw value whose digest is remembered. */
const MAX_CACHED_RAW = 256
/** Longest Cookie header whose identity a connection remembers (longer ones are parsed every time, so an idle
 * connection never holds more than this). */
const MAX_MEMO_COOKIE = 4096

/**
 * What one client connection last sent and the identity it gave, per extractor: a keep-alive connection (a browser,
 * the shop's own PHP workers) resends the same Cookie or Authorization header on every request, so the next one
 * costs a string comparison instead of parsing and a digest lookup. Compared with the exact raw value, so a changed
 * session on the same connection (login, logout) is resolved afresh; a proxy multiplexing many clients on one
 * connection just misses here and uses the shared digest cache. Every field set here, so the shape is stable.
 */
class ConnectionIdentity {
  auth: string | null = null
  authId: string | null = null
  header: string | null = null
  headerId: string | null = null
  cookie: string | null = null
  cookieId: string | null = null
}

/** The client connection (request.raw.socket), where ConnectionIdentity lives. */
interface IdentityConnection {
  [kRateLimitIdentity]?: ConnectionIdentity
}

interface CachedToken { id: string | null, until: number }

export function hashId (value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22)
}

/** The value of cookie `name` (first of its pairs) from the shared parser, or null when absent or empty. */
export function cookieValue (header: string | string[] | undefined, name: string): string | null {
  return new CookiePatterns([name]).first(parseCookies(header)) ?? null
}

class JwtIdentity {
  readonly #header: string
  readonly #cookie: CookiePatterns | null
  readonly #secret: Uint8Array | null
  readonly #publicKey: KeyObject | null
  readonly #options: JWTVerifyOptions
  readonly #cache = new BoundedMap<CachedToken>(JWT_CACHE_SIZE)

  constructor (cfg: IdentityConfig['jwt']) {
    this.#header = cfg.header.toLowerCase()
    this.#cookie = cfg.cookie === '' ? null : new CookiePatterns([cfg.cookie])
    const needsSecret = cfg.algorithms.some(a => a.startsWith('HS'))
    const needsKey = cfg.algorithms.some(a => !a.startsWith('HS'))
    if (needsSecret && cfg.secret === '') {
      throw new SIPUP_ERR_RATELIMIT_CONFIG('identity.jwt.secret', `a shared secret for ${cfg.algorithms.filter(a => a.startsWith('HS')).join(', ')}`, '')
    }
    if (needsSecret && Buffer.byteLength(cfg.secret) < 32) {
      throw new SIPUP_ERR_RATELIMIT_CONFIG('identity.jwt.secret', 'at least 32 bytes (a short HMAC secret can be brute-forced)', `${Buffer.byteLength(cfg.secret)} bytes`)
    }
    if (needsKey && cfg.publicKey === '') {
      throw new SIPUP_ERR_RATELIMIT_CONFIG('identity.jwt.publicKey', `a PEM public key for ${cfg.algorithms.filter(a => !a.startsWith('HS')).join(', ')}`, '')
    }
    if (cfg.header === '' && cfg.cookie === '') {
      throw new SIPUP_ERR_RATELIMIT_CONFIG('identity.jwt.header', 'a header or a cookie (identity.jwt.cookie) to read the token from', '')
    }
    this.#secret = needsSecret ? new TextEncoder().encode(cfg.secret) : null
    let key: KeyObject | null = null
    if (needsKey) {
      try {
        key = createPublicKey(cfg.publicKey)
      } catch (cause) {
        throw new SIPUP_ERR_RATELIMIT_CONFIG('identity.jwt.publicKey', 'a PEM public key (-----BEGIN PUBLIC KEY-----)', (cause as Error).message)
      }
    }
    this.#publicKey = key
    this.#options = {
      algorithms: [...cfg.algorithms],
      ...(cfg.issuer === '' ? {} : { issuer: cfg.issuer }),
      ...(cfg.audience === '' ? {} : { audience: cfg.audience })
    }
  }

  token (headers: IncomingHttpHeaders): string | null {
    if (this.#header !== '') {
      const h = headers[this.#header]
      if (typeof h === 'string' && h.length > 7 && h.slice(0, 7).toLowerCase() === 'bearer ') return h.slice(7).trim()
    }
    if (this.#cookie !== null) return this.#cookie.first(parseCookies(headers.cookie)) ?? null
    return null
  }

  /** `j:<sub>` for a token that verifies, null otherwise; a promise only when the token is not cached. */
  resolve (token: string, now: number): string | null | Promise<string | null> {
    if (token.length > MAX_TOKEN_LENGTH) return null
    const cached = this.#cache.get(token)
    if (cached !== undefined && cached.until > now) return cached.id
    const secret = this.#secret
    const publicKey = this.#publicKey
    return jwtVerify(token, (header) => {
      if (header.alg.startsWith('HS') && secret !== null) return secret
      if (!header.alg.startsWith('HS') && publicKey !== null) return publicKey as unknown as Uint8Array
      throw new Error(`no key for ${header.alg}`)
    }, this.#options).then(({ payload }) => {
      const sub = typeof payload.sub === 'string' && payload.sub !== '' ? `j:${payload.sub.length > 128 ? hashId(payload.sub) : payload.sub}` : null
      const exp = typeof payload.exp === 'number' ? payload.exp * 1000 : now + JWT_NEGATIVE_TTL_MS
      this.#cache.set(token, { id: sub, until: Math.min(exp, now + 10 * JWT_NEGATIVE_TTL_MS) })
      return sub
    }, () => {
      this.#cache.set(token, { id: null, until: now + JWT_NEGATIVE_TTL_MS })
      return null
    })
  }
}

export class IdentityResolver {
  readonly #jwt: JwtIdentity | null
  readonly #basic: boolean
  readonly #header: string
  /** `identity.cookie`, null when not used. */
  readonly #cookie: CookiePatterns | null
  /** `<kind>:<raw value>` to `<kind>:<digest>`. */
  readonly #digests: BoundedMap<string>

  /** `digestCacheSize`: digests remembered across connections (tests make it small). */
  constructor (cfg: IdentityConfig, digestCacheSize = DIGEST_CACHE_SIZE) {
    this.#digests = new BoundedMap<string>(digestCacheSize)
    this.#jwt = cfg.jwt.enabled ? new JwtIdentity(cfg.jwt) : null
    this.#basic = cfg.basic
    this.#header = cfg.header.toLowerCase()
    const cookies = cookieNameList(cfg.cookie)
    this.#cookie = cookies.length === 0 ? null : new CookiePatterns(cookies)
  }

  /** True when no extractor is configured (every request is anonymous). */
  get none (): boolean {
    return this.#jwt === null && !this.#basic && this.#header === '' && this.#cookie === null
  }

  /**
   * The user's identity (`j:` JWT sub, `b:` Basic, `h:` header, `c:` cookie), or null for an anonymous request.
   * A token that fails verification makes the request anonymous even when a cookie is present: a client must
   * not be able to choose who it is counted as by sending a forged token next to someone else's session.
   * `connection`: the client's socket, to remember the last raw values and identities on (ConnectionIdentity).
   */
  resolve (headers: IncomingHttpHeaders, now: number, connection: object | null = null): string | null | Promise<string | null> {
    const jwt = this.#jwt
    if (jwt !== null) {
      const token = jwt.token(headers)
      if (token !== null) return jwt.resolve(token, now)
    }
    let memo: ConnectionIdentity | null = null
    const conn = connection as IdentityConnection | null
    if (conn !== null) {
      memo = conn[kRateLimitIdentity] ?? null
      if (memo === null) {
        memo = new ConnectionIdentity()
        conn[kRateLimitIdentity] = memo
      }
    }
    if (this.#basic) {
      const auth = headers.authorization
      if (auth !== undefined && auth.length > 6) {
        if (memo !== null && memo.auth === auth) {
          if (memo.authId !== null) return memo.authId
        } else {
          const id = this.#basicId(auth)
          if (memo !== null && auth.length <= MAX_CACHED_RAW) {
            memo.auth = auth
            memo.authId = id
          }
          if (id !== null) return id
        }
      }
    }
    if (this.#header !== '') {
      const v = headers[this.#header]
      if (typeof v === 'string' && v !== '') {
        if (memo !== null && memo.header === v) return memo.headerId as string
        const id = this.#digest('h:', v)
        if (memo !== null && v.length <= MAX_CACHED_RAW) {
          memo.header = v
          memo.headerId = id
        }
        return id
      }
    }
    if (this.#cookie !== null) {
      const header = headers.cookie
      if (header === undefined) return null
      if (memo !== null && memo.cookie === header) return memo.cookieId
      const v = this.#cookie.first(parseCookies(header))
      const id = v === undefined ? null : this.#digest('c:', v)
      if (memo !== null && typeof header === 'string' && header.length <= MAX_MEMO_COOKIE) {
        memo.cookie = header
        memo.cookieId = id
      }
      return id
    }
    return null
  }

  /** Digests held by the shared cache (tests: it stays bounded). */
  get cachedDigests (): number {
    return this.#digests.size
  }

  /** The `b:` identity of an Authorization header, null when it holds no Basic credentials. */
  #basicId (auth: string): string | null {
    if (auth.slice(0, 6).toLowerCase() !== 'basic ') return null
    const cred = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8')
    return cred.indexOf(':') > 0 ? this.#digest('b:', cred) : null
  }

  #digest (kind: string, raw: string): string {
    // Long values (an oversized header) are hashed every time rather than let them fill the cache's memory.
    if (raw.length > MAX_CACHED_RAW) return kind + hashId(raw)
    const k = kind + raw
    let id = this.#digests.get(k)
    if (id === undefined) {
      id = kind + hashId(raw)
      this.#digests.set(k, id)
    }
    return id
  }
}
