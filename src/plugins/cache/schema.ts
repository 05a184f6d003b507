// The `cache:` config section. Durations and sizes are human strings in YAML, numbers (ms, bytes) in code.
import type { DeepReadonly } from '../../config/deep-readonly.js'
import { Type, type Static } from '@sinclair/typebox'
import { Bytes, Duration } from '../../config/units.js'
import { AddressList, Bool, CookieConditions, CookieList, CookieNames, Int, Str, StrList } from '../../config/schema-helpers.js'
import { InvalidateSchema } from './invalidate-schema.js'
import { DEFAULT_COMPRESSIBLE_TYPES } from '../../core/content-coding.js'

export const CacheRuleSchema = Type.Object({
  name: Str('Label of the rule in metrics, logs and `Cache-Status` (empty = `rule<N>`, N counted from 1).', ''),
  path: Str('Glob matched against the request path as the origin reads it (see `origin`; `/x.php` also covers its ' +
    'PATH_INFO): `*` matches any run of characters, `?` one. Bypass rules ignore case; rules that store follow ' +
    '`origin.caseInsensitivePaths`. Empty = any path.', ''),
  pathRegex: Str('Regular expression (RE2 syntax, matched in linear time: no lookaround or backreferences) ' +
    'matched against the path (as `path` sees it) instead of `path` (empty = not used).', ''),
  methods: Type.Array(Type.Union([Type.Literal('GET'), Type.Literal('HEAD')]), {
    description: 'Methods the rule matches (only GET and HEAD are ever served from the cache).', default: ['GET', 'HEAD']
  }),
  host: Str('Glob matched against the Host header, lower-cased (empty = any host).', ''),
  query: Type.Record(Type.String({ minLength: 1 }), Type.String(), {
    description: 'Query parameters the request must carry, name to glob of the value (`*` = any value).', default: {}
  }),
  cookies: CookieConditions(),
  ttl: Duration({ description: 'Freshness lifetime. Without `override` it only applies when the origin gives no ' +
    'explicit freshness (max-age, s-maxage, Expires); 0 = the origin headers alone decide.', default: 0 }),
  override: Bool('Ignore the origin\'s no-store, no-cache, private, max-age and Expires and cache for `ttl` ' +
    '(for legacy pages that send PHP\'s no-cache headers). Needs `ttl` > 0. Applies only to the `statuses` listed.', false),
  statuses: Type.Array(Type.Integer(), {
    description: 'Response statuses an `override` rule stores (any of 200, 203, 204, 300, 301, 308, 404, 405, 410, 414; ' +
      'never a 5xx or a 302/303/307 redirect); other statuses are not stored by the rule.',
    default: [200, 203, 301, 404, 410]
  }),
  notFoundTtl: Duration({ description: 'Freshness of a 404 stored by an `override` rule (at most `ttl`): a missing ' +
    'page may be created soon.', default: '1m' }),
  anonymousOnly: Bool('Match only anonymous visitors: no Authorization, and not logged in by `cache.loggedIn` ' +
    '(by default: no session cookie); other requests go on to the next rule.', false),
  stripSetCookie: Bool('Remove Set-Cookie from responses of this rule, so they can be stored and shared. ' +
    'Only allowed with `anonymousOnly`.', false),
  vary: Type.Object({
    cookies: CookieList('Cookie names or globs (`comment_author_*`): every present cookie that matches joins the ' +
      'cache key with its name and value.', []),
    headers: StrList('Request header names whose values become part of the cache key.', [])
  }, { additionalProperties: false, description: 'Extra request parts the cached page depends on.', default: {} }),
  scope: Type.Union([Type.Literal('shared'), Type.Literal('per-user'), Type.Literal('context')], {
    description: '`shared`: one entry for everyone; `per-user`: keyed on the session cookie, never shared ' +
      '(requests without it bypass); `context`: keyed on the context hash the origin\'s context endpoint gives ' +
      'for the session (see `cache.context`).',
    default: 'shared'
  }),
  bypass: Bool('Never serve or store matching requests.', false),
  grace: Duration({ description: 'After an entry goes stale, how long it may still be served while it is ' +
    'refreshed in the background, or when the origin is down or answers 5xx.', default: 0 })
}, { additionalProperties: false })

export const CacheSchema = Type.Object({
  enabled: Bool('Cache origin responses (RFC 9111 shared cache plus rules).', false),
  store: Type.Union([Type.Literal('memory'), Type.Literal('redis'), Type.Literal('tiered')], {
    description: '`memory`: per instance; `redis`: shared by all instances; `tiered`: memory in front of Redis, ' +
      'purges broadcast to every instance. Without Redis, `redis` and `tiered` run from memory.',
    default: 'tiered'
  }),
  maxBytes: Bytes({ description: 'Memory the in-process store may use for bodies and headers (least recently ' +
    'used entries are evicted beyond it).', default: '256MB' }),
  maxObjectSize: Bytes({ description: 'Largest response body stored; larger ones stream through uncached.',
    default: '4MB' }),
  sessionCookie: CookieNames('Session cookie: a name, a glob (`SESS*`, `wordpress_logged_in_*`) or a list of them. ' +
    'Its value keys per-user and context scopes (the first pattern that matches a cookie wins), and, unless ' +
    '`loggedIn` says otherwise, its presence makes a visitor logged in for anonymousOnly rules.', 'PHPSESSID'),
  loggedIn: Type.Object({
    cookies: CookieList('Cookies (names or globs) whose presence marks a logged-in visitor, e.g. a `logged_in` flag ' +
      'the app sets at login (`setcookie(\'logged_in\', \'1\')`) or the app\'s own login cookie. A visitor with only ' +
      'the session cookie (PHP gives every visitor one) is then anonymous.', []),
    anonymousContext: Str('The context hash (`cache.context`) the endpoint answers for anonymous sessions: a session ' +
      'whose hash is this one is anonymous; any other hash, or an endpoint failure, is logged in. Empty = not asked.', '')
  }, {
    additionalProperties: false,
    description: 'What marks a logged-in visitor for `anonymousOnly` rules (either marker counts). With both empty, ' +
      'the session cookie (`sessionCookie`) does, so every PHP visitor who has seen a page counts as logged in.',
    default: {}
  }),
  query: Type.Object({
    sort: Bool('Sort query parameters by name in the cache key, so `?a=1&b=2` and `?b=2&a=1` share an entry; ' +
      'parameters of one name keep their order (`?id=1&id=2` is not `?id=2&id=1`: PHP uses the last).', true),
    drop: StrList('Query parameters left out of the cache key and removed from every request sent to the origin, so ' +
      'a page reflecting them can\'t store one visitor\'s value for all (`*` at the end matches a prefix).',
      ['utm_*', 'gclid', 'fbclid'])
  }, { additionalProperties: false, description: 'Query normalization in the cache key.', default: {} }),
  compression: Type.Object({
    enabled: Bool('Store text responses the origin did not compress as brotli and gzip too, served by ' +
      'Accept-Encoding.', true),
    minSize: Bytes({ description: 'Smallest body worth compressing.', default: '1KB' }),
    types: StrList('Content types compressed (`*` at the end matches a prefix).',
      DEFAULT_COMPRESSIBLE_TYPES)
  }, { additionalProperties: false, description: 'Compression of stored responses.', default: {} }),
  coalescing: Type.Object({
    enabled: Bool('Make one origin request for concurrent misses of one key; the others wait for it.', true),
    maxWait: Duration({ description: 'Longest wait for the first request before a waiter goes to the origin itself.',
      default: '10s' }),
    hitForMiss: Duration({ description: 'How long a key whose response was not cacheable skips coalescing.',
      default: '30s' })
  }, { additionalProperties: false, description: 'Request coalescing (collapsed forwarding).', default: {} }),
  context: Type.Object({
    endpoint: Str('Origin path asked (GET, with the user\'s cookies) for the context hash of a session.',
      '/sidecar-context.php'),
    header: Str('Response header of the endpoint that carries the context hash.', 'X-User-Context-Hash'),
    ttl: Duration({ description: 'How long a session\'s context hash is reused before it is asked again.',
      default: '5m' }),
    timeout: Duration({ description: 'Longest wait for the context endpoint before the request bypasses the cache.',
      default: '2s' }),
    maxSessions: Int('Sessions whose context hash is remembered (least recently used are forgotten).', 50_000, 1)
  }, { additionalProperties: false, description: 'Context-keyed caching for rules with `scope: context`.', default: {} }),
  purge: Type.Object({
    method: Bool('Accept the `PURGE` method on a URL from `purge.allow` addresses.', true),
    allow: AddressList('Addresses or CIDRs allowed to send PURGE.', ['127.0.0.1/8', '::1/128'])
  }, { additionalProperties: false, description: 'Purging (the admin API is always on when the cache is).', default: {} }),
  targetedHeader: Str('Response header the origin uses to tell the sidecar alone how to cache (RFC 9213 targeted ' +
    'field, e.g. `Sipup-Cache-Control: max-age=600`): it wins over CDN-Cache-Control and Cache-Control/Expires ' +
    'for the cache and is removed before the response reaches the client. Empty = off.', 'Sipup-Cache-Control'),
  cdnCacheControl: Bool('Obey the origin\'s RFC 9213 `CDN-Cache-Control` (over Cache-Control and Expires) and remove ' +
    'it before the response reaches the client. Turn off when a CDN in front of the sidecar should see it.', true),
  invalidate: InvalidateSchema,
  xCache: Bool('Add an `X-Cache: HIT|MISS|STALE|BYPASS|REVALIDATED` response header.', true),
  statusName: Str('Cache name in the RFC 9211 `Cache-Status` header.', 'sipup'),
  grace: Duration({ description: 'Grace for responses that match no rule (see rules[].grace).', default: 0 }),
  rules: Type.Array(CacheRuleSchema, {
    description: 'Rules for pages that need them, first match wins; requests that match none follow the ' +
      'origin\'s headers (RFC 9111).',
    default: []
  })
}, { additionalProperties: false, description: 'Response cache.', default: {} })

export type CacheConfig = Static<typeof CacheSchema>
export type CacheSection = DeepReadonly<CacheConfig>
export type CacheRuleConfig = Static<typeof CacheRuleSchema>
