// The `rateLimit:` config section. Durations are human strings in YAML (`5m`), milliseconds in code.
// Checks a schema can't express (unique rule names, CIDRs, JWT keys, a field for `key: field`) run once at
// registration in options.ts and throw SIPUP_ERR_RATELIMIT_CONFIG naming the key.
import { Type, type Static } from '@sinclair/typebox'
import { Bytes, Duration } from '../../config/units.js'
import { AddressList, Bool, CookieConditions, CookieName, CookieNames, Int, Str } from '../../config/schema-helpers.js'
import type { DeepReadonly } from '../../config/deep-readonly.js'

/** Longest window accepted: longer ones are better served by an account quota in the application. */
export const MAX_WINDOW_MS = 7 * 86_400_000
/** Largest limit accepted per window (keeps the per-request arithmetic far from float precision limits). */
export const MAX_LIMIT = 100_000_000

const Limit = (description: string, def: number) => Int(description, def, 1, MAX_LIMIT)
// Bounds are checked in options.ts, whose message says what is allowed (the unit validator only says "a duration").
const Window = (description: string, def: string) => Duration({ description, default: def })

export const TierSchema = (what: string, limit: number, window: string) => Type.Object({
  enabled: Bool(`Apply the ${what} limit.`, true),
  limit: Limit(`Requests allowed ${what} per \`window\` (also the largest burst).`, limit),
  window: Window('Length of the window (at least 1s, at most 7d).', window),
  dryRun: Bool('Only log and count what this limit would reject (metric outcome `dry_run_would_limit`); ' +
    'never reject. Use it to tune a limit on a live site.', false)
}, { additionalProperties: false, description: `The ${what} limit.`, default: {} })

export const RuleSchema = Type.Object({
  name: Type.String({
    description: 'Name of the rule in metrics, logs and the RateLimit headers (lower case, digits, - and _).',
    pattern: '^[a-z0-9][a-z0-9_-]{0,31}$'
  }),
  methods: Type.Array(Type.String({ pattern: '^([A-Z]+|\\*)$' }), {
    description: 'Methods the rule applies to, upper case; `*` = every method.', default: ['*']
  }),
  path: Type.String({
    minLength: 1,
    pattern: '^/',
    description: 'Glob matched, ignoring case, against the request path as the origin reads it (see `origin`: no ' +
      'query, percent-decoded, dot segments, `;` parameters, trailing dots and spaces removed; `/x.php` also covers ' +
      'its PATH_INFO `/x.php/...`): `*` matches within one segment, `**` across segments.'
  }),
  limit: Limit('Requests allowed per `window` for one key.', 10),
  window: Window('Length of the window (at least 1s, at most 7d).', '5m'),
  key: Type.Union([Type.Literal('ip'), Type.Literal('user'), Type.Literal('field')], {
    description: 'What one counter is for: `ip` the client IP, `user` the user identity (anonymous: the IP), ' +
      '`field` the value of the submitted form field `field` (e.g. the username of a login form; requests whose ' +
      'body is not a small urlencoded form, or lacks the field, are keyed on the IP).',
    default: 'ip'
  }),
  field: Str('Form field whose value is the key when `key` is `field` (e.g. `username`).', ''),
  cookies: CookieConditions(),
  dryRun: Bool('Only log and count what this rule would reject; never reject.', false)
}, { additionalProperties: false })

export const JwtSchema = Type.Object({
  enabled: Bool('Take the user identity from a JWT\'s `sub` claim. A token that fails verification (signature, ' +
    '`exp`/`nbf`, issuer, audience, algorithm) is ignored and the request counts as anonymous.', false),
  header: Str('Header carrying the token as `Bearer <token>` (empty = none).', 'authorization'),
  cookie: CookieName('Cookie carrying the token instead (an exact name; empty = none).', ''),
  algorithms: Type.Array(Type.Union([
    Type.Literal('HS256'), Type.Literal('HS384'), Type.Literal('HS512'),
    Type.Literal('RS256'), Type.Literal('RS384'), Type.Literal('RS512'),
    Type.Literal('PS256'), Type.Literal('PS384'), Type.Literal('PS512'),
    Type.Literal('ES256'), Type.Literal('ES384'), Type.Literal('EdDSA')
  ]), { description: 'Accepted signing algorithms (HS* need `secret`, the others `publicKey`).', default: ['HS256'] }),
  secret: Str('Shared secret for HS* tokens. Keep the file holding it private.', ''),
  publicKey: Str('PEM public key (SPKI, `-----BEGIN PUBLIC KEY-----`) for RS*, PS*, ES* and EdDSA tokens.', ''),
  issuer: Str('Required `iss` claim (empty = not checked).', ''),
  audience: Str('Required `aud` claim (empty = not checked).', '')
}, { additionalProperties: false, description: 'JWT identity.', default: {} })

export const IdentitySchema = Type.Object({
  cookie: CookieNames('Session cookie whose value identifies the user: a name (`PHPSESSID`), a glob (`SESS*`) or a ' +
    'list (the first pattern that matches a cookie wins); empty = not used.', 'PHPSESSID'),
  header: Str('Request header whose value identifies the user (e.g. `X-Api-Key`; empty = not used).', ''),
  basic: Bool('Identify users by HTTP Basic credentials (the bucket is per user name and password, so a ' +
    'client without the password cannot use up a user\'s quota).', false),
  jwt: JwtSchema
}, {
  additionalProperties: false,
  description: 'How the per-user limit and `key: user` rules tell users apart. Tried in the order JWT, Basic, ' +
    'header, cookie; the first that yields a value wins; a request with none is anonymous and keyed on its IP.',
  default: {}
})

export const BansSchema = Type.Object({
  enabled: Bool('Ban a client IP that keeps getting 429s: after `strikes` 429 answers within `within` it gets ' +
    '403 for `duration`, on every instance (shared through Redis).', false),
  strikes: Int('429 answers that trigger a ban.', 5, 1, 1_000_000),
  within: Duration({ description: 'Period the strikes must fall in (at least 1s).', default: '10m' }),
  duration: Duration({ description: 'How long a ban lasts (at least 1s).', default: '1h' }),
  exempt: AddressList('Addresses or CIDRs never banned: their 429s count no strike and a ban already stored for ' +
    'them is ignored. They are still limited (use `allowlist` to skip limits too). List bans with ' +
    '`sipup-sidecar limits bans`, lift one with `limits unban IP` or the dashboard.', [])
}, { additionalProperties: false, description: 'Ban escalation for clients that ignore 429s.', default: {} })

export const LeaseSchema = Type.Object({
  minLimit: Int('Only limits at least this large lease (0 = never lease). Smaller limits take one Redis round ' +
    'trip per allowed request, so they stay exact.', 0, 0, MAX_LIMIT),
  fraction: Type.Number({ description: 'Share of a limit one lease reserves (e.g. 0.01 = 1 %).', default: 0.01, minimum: 0.0001, maximum: 0.5 })
}, {
  additionalProperties: false,
  description: 'Token leasing for large limits: an instance reserves a chunk of a counter in one Redis call and ' +
    'spends it locally, so requests whose tiers all hold a lease skip Redis. Never admits more than the limit; may ' +
    'admit a little less, since a lease another instance holds is not usable here.',
  default: {}
})

export const RateLimitSchema = Type.Object({
  enabled: Bool('Limit request rates per client IP, per user and per endpoint before requests reach the cache or ' +
    'the origin.', false),
  store: Type.Union([Type.Literal('redis'), Type.Literal('memory')], {
    description: '`redis`: counters shared by every instance (exact across instances; needs `redis.enabled`, ' +
      'otherwise memory is used and the feature reports degraded); `memory`: each instance counts alone.',
    default: 'redis'
  }),
  failClosed: Bool('While Redis is unreachable, answer 503 instead of limiting with per-instance memory ' +
    'counters (the default keeps the shop up).', false),
  ip: TierSchema('per client IP', 100, '1m'),
  user: TierSchema('per user', 1000, '1h'),
  rules: Type.Array(RuleSchema, {
    description: 'Endpoint limits, each matched by method and path glob and applied on top of the per-IP and ' +
      'per-user limits.',
    default: [{ name: 'login', methods: ['POST'], path: '/login.php', limit: 10, window: '5m', key: 'ip', field: '', dryRun: false }]
  }),
  identity: IdentitySchema,
  ipv6Subnet: Int('IPv6 clients are counted per subnet of this prefix length (one host usually holds a /64).', 64, 1, 128),
  allowlist: AddressList('Addresses or CIDRs never limited (monitoring, office).', []),
  denylist: AddressList('Addresses or CIDRs always answered 403.', []),
  bans: BansSchema,
  headers: Bool('Send `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers) on limited routes.', true),
  legacyHeaders: Bool('Also send `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds) ' +
    'for the tier closest to its limit.', false),
  maxFormBody: Bytes({ description: 'Largest urlencoded body read to find a `key: field` value; larger or chunked ' +
    'bodies are not read and are keyed on the IP.', default: '8KB' }),
  memoryKeys: Int('Clients (an IP or a user) whose counters are kept per instance by the memory store and the ' +
    'outage fallback, each with one counter per tier it uses (least recently used dropped first).', 100_000, 100, 10_000_000),
  lease: LeaseSchema
}, { additionalProperties: false, description: 'Rate limiting (issue 4).', default: {} })

export type RateLimitConfig = Static<typeof RateLimitSchema>
/** The section as plugins receive it: validated, defaulted, deep-frozen. */
export type RateLimitSection = DeepReadonly<RateLimitConfig>
export type RuleConfig = Static<typeof RuleSchema>
export type TierConfig = Static<ReturnType<typeof TierSchema>>
