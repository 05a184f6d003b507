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
  gzipLevel: Int('gzip level (1-9).', 6, 1, 9),
  memo: Type.Object({
    enabled: Bool('Remember the compressed bytes of recent bodies (up to 64 KB, the ones compressed whole) and reuse ' +
      'them when the origin sends a byte-identical body again, e.g. a no-store page every anonymous visitor gets. ' +
      'A body is looked up by its length, the coding and a hash of a few sampled slices, and a stored copy is used ' +
      'only when its whole identity body equals this one byte for byte.', true),
    entries: Int('Most bodies remembered (a body compressed in both codings counts twice).', 256, 1),
    maxBytes: Bytes({ description: 'Memory the memo may hold: identity and compressed copies together (the oldest ' +
      'entry not used since it was stored goes first).', default: '8MB' })
  }, { additionalProperties: false, description: 'Memo of compressed bodies for bodies that repeat.', default: {} })
}, { additionalProperties: false, description: 'Compression of pass-through responses.', default: {} })

export type ProxyCompressionConfig = Static<typeof ProxyCompressionSchema>
