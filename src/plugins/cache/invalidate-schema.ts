// The `cache.invalidate:` config list: what a successful edit through the proxy purges, for apps that send no
// Surrogate-Key (compiled in invalidation-rules.ts).
import { Type, type Static } from '@sinclair/typebox'
import { StrList } from '../../config/schema-helpers.js'

export const UNSAFE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const

export const InvalidateRuleSchema = Type.Object({
  methods: Type.Array(Type.Union(UNSAFE_METHODS.map(m => Type.Literal(m))), {
    minItems: 1,
    description: 'Methods whose successful (2xx/3xx) response triggers the purge.',
    default: [...UNSAFE_METHODS]
  }),
  path: Type.String({
    minLength: 1,
    pattern: '^/',
    description: 'Glob matched against the request path (no query): `*` matches any run of characters, `?` one. ' +
      'Each `*` is captured: `$1`..`$9` in `purge` stand for what the stars matched (e.g. the product id).'
  }),
  purge: Type.Object({
    prefixes: StrList('Path prefixes purged (every host, scope and variant), e.g. `/` for the whole site or ' +
      '`/catalog.php`.', []),
    urls: StrList('URLs purged (a path with its query, or an absolute http(s) URL), e.g. `/product.php?id=$1`.', []),
    tags: StrList('Surrogate-Key / Cache-Tag values purged.', [])
  }, { additionalProperties: false, description: 'What the edit makes stale (at least one entry).', default: {} })
}, { additionalProperties: false })

export const InvalidateSchema = Type.Array(InvalidateRuleSchema, {
  description: 'Purges applied after a successful unsafe request through the proxy (an edit in the app\'s admin or ' +
    'REST API), on top of the RFC 9111 invalidation of the request\'s own URL and its Location. Every matching rule ' +
    'applies; the response reaches the client once the purge is done (at most 2 s later).',
  default: []
})

export type InvalidateRuleConfig = Static<typeof InvalidateRuleSchema>
