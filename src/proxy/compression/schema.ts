// `proxy.compression`: compression of pass-through responses the origin sent uncompressed.
import { Type, type Static } from '@sinclair/typebox'
import { DEFAULT_COMPRESSIBLE_TYPES } from '../../core/content-coding.js'
import { Bytes } from '../../config/units.js'
import { Bool, Int, StrList } from '../../config/schema-helpers.js'

export const ProxyCompressionSchema = Type.Object({
  enabled: Bool('Compress text responses the origin sent uncompressed (as nginx\'s `gzip on` / Caddy\'s `encode`), ' +
    'streamed as they arrive. Responses the origin compressed itself pass untouched; turn off when a server in ' +
    'front compresses instead.', true),
  encodings: Type.Array(Type.Union([Type.Literal('br'), Type.Literal('gzip')]), {
    description: 'Codings offered, in order of preference when the client accepts several equally (zstd is not ' +
      'offered: Node 20\'s zlib has none). Empty = off.',
    default: ['br', 'gzip'],
    uniqueItems: true
  }),
  minSize: Bytes({ description: 'Smallest body worth compressing: by Content-Length, or, without one, by what ' +
    'arrived before the origin paused or ended.', default: '1KB' }),
  types: StrList('Content types compressed (`*` at the end matches a prefix).', DEFAULT_COMPRESSIBLE_TYPES),
  brotliQuality: Int('Brotli quality (0-11). 2 is smaller than gzip 6 at about two thirds of its CPU and half of ' +
    'quality 4\'s (a 20 KB page: 2.5 KB at 2, 2.2 KB at 4, 2.9 KB with gzip 6), right for compressing every ' +
    'response on the fly; the cache compresses its stored copies once, at 5.', 2, 0, 11),
  gzipLevel: Int('gzip level (1-9).', 6, 1, 9)
}, { additionalProperties: false, description: 'Compression of pass-through responses.', default: {} })

export type ProxyCompressionConfig = Static<typeof ProxyCompressionSchema>
