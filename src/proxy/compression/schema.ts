// `proxy.compression`: compression of pass-through responses the origin sent uncompressed.
import { Type, type Static } from '@sinclair/typebox'
import { DEFAULT_COMPRESSIBLE_TYPES } from '../../core/content-coding.js'
import { Bytes } from '../../config/units.js'
import { Bool, Int, StrList } from '../../config/schema-helpers.js'

/** Defaults chosen with bench/compression-levels (CPU per 20 KB page against bytes saved; table in the README). */
export const DEFAULT_BROTLI_QUALITY = 2
/** 512 KB (ngx_brotli's default): the 4 MB default costs memory per open response for little gain on pages. */
export const DEFAULT_BROTLI_WINDOW = 19
export const DEFAULT_GZIP_LEVEL = 2
export const DEFAULT_GZIP_MEM_LEVEL = 8
export const DEFAULT_GZIP_WINDOW_BITS = 15

export const ProxyCompressionSchema = Type.Object({
  enabled: Bool('Compress text responses the origin sent uncompressed (as nginx\'s `gzip on` / Caddy\'s `encode`), ' +
    'streamed as they arrive. Responses the origin compressed itself pass untouched; turn off when a server in ' +
    'front compresses instead.', true),
  encodings: Type.Array(Type.Union([Type.Literal('br'), Type.Literal('gzip')]), {
    description: 'Codings offered, in order of preference when the client accepts several equally (zstd is not ' +
      'offered, and has no level key: Node 20\'s zlib has no zstd). Empty = off.',
    default: ['br', 'gzip'],
    uniqueItems: true
  }),
  minSize: Bytes({ description: 'Smallest body worth compressing: by Content-Length, or, without one, by what ' +
    'arrived before the origin paused or ended.', default: '1KB' }),
  types: StrList('Content types compressed (`*` at the end matches a prefix).', DEFAULT_COMPRESSIBLE_TYPES),
  brotliQuality: Int('Brotli quality (0-11). Each step up costs CPU on every response the memo can\'t answer; ' +
    'chosen by CPU per 20 KB page against bytes saved (README, "Pass-through compression"). The cache compresses ' +
    'its stored copies once, at 5.', DEFAULT_BROTLI_QUALITY, 0, 11),
  brotliWindow: Int('Largest brotli window, as lgwin (10-24: 2^lgwin - 16 bytes). A body gets the smallest window ' +
    'that holds it, up to this; only longer bodies are compressed with less reach.', DEFAULT_BROTLI_WINDOW, 10, 24),
  gzipLevel: Int('gzip level (1-9), for clients that don\'t accept br.', DEFAULT_GZIP_LEVEL, 1, 9),
  gzipMemLevel: Int('Largest zlib memLevel (1-9): the size of deflate\'s hash table and block buffer, allocated ' +
    'per response; a body gets the smallest that covers it, up to this.', DEFAULT_GZIP_MEM_LEVEL, 1, 9),
  gzipWindowBits: Int('Largest deflate window, as windowBits (9-15: 2^windowBits bytes). A body gets the smallest ' +
    'window that holds it, up to this.', DEFAULT_GZIP_WINDOW_BITS, 9, 15),
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
