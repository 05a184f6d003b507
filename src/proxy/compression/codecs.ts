// The zlib side of pass-through compression: brotli and gzip options built once at start-up, a body compressed in
// one synchronous call, and the streaming compressors for bodies too long to hold.
import { brotliCompressSync, constants, createBrotliCompress, createGzip, gzipSync, type BrotliCompress, type Gzip } from 'node:zlib'
import { BR, type Encoding } from '../../core/content-coding.js'

export type Compressor = BrotliCompress | Gzip

// Larger than zlib's default 16 KB so a typical page is handed over in one write without a pause/drain round.
// zlib hands its options to the Transform constructor; @types/node's ZlibOptions doesn't list the stream ones.
const STREAM_OPTIONS = { writableHighWaterMark: 64 * 1024 } as Record<string, number>
/** 512 KB window (ngx_brotli's default): the 4 MB default costs memory per open response for little gain on pages. */
export const BROTLI_LGWIN = 19
/** Brotli's smallest window. */
const BROTLI_MIN_LGWIN = 10

/**
 * The smallest brotli window that holds a body of `size` bytes (a window is 2^lgwin - 16 bytes), at most
 * BROTLI_LGWIN; BROTLI_LGWIN for an unknown size (0). A window larger than the body finds no more matches, and it
 * costs an allocation per response: for a 20 KB page the 512 KB window cost more CPU than the 32 KB one with the
 * same output (bench/compression-codecs.ts).
 */
export function brotliWindowFor (size: number): number {
  if (size <= 0) return BROTLI_LGWIN
  let w = BROTLI_MIN_LGWIN
  while (w < BROTLI_LGWIN && (1 << w) - 16 < size) w++
  return w
}

interface BrotliOptions { params: Record<number, number> }

export interface CodecParams {
  readonly brotliQuality: number
  readonly gzipLevel: number
}

/** Per-response compression with options decided at start-up: one options object per brotli window size. */
export class Codecs {
  readonly #brotli: BrotliOptions[] = []
  readonly #gzip: { level: number }

  constructor (p: CodecParams) {
    for (let w = 0; w <= BROTLI_LGWIN; w++) {
      this.#brotli.push({
        params: {
          [constants.BROTLI_PARAM_QUALITY]: p.brotliQuality,
          [constants.BROTLI_PARAM_LGWIN]: Math.max(w, BROTLI_MIN_LGWIN),
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT
        }
      })
    }
    this.#gzip = { level: p.gzipLevel }
  }

  /** `body` compressed in one call (a body held whole: see WHOLE_MAX in encoder.ts). Throws what zlib throws. */
  compress (encoding: Encoding, body: Buffer): Buffer {
    if (encoding === BR) return brotliCompressSync(body, this.#brotli[brotliWindowFor(body.length)])
    return gzipSync(body, this.#gzip)
  }

  /** A zlib stream for a body of `size` bytes (0: unknown). */
  stream (encoding: Encoding, size: number): Compressor {
    if (encoding === BR) {
      const params = { ...this.#brotli[brotliWindowFor(size)].params }
      if (size > 0) params[constants.BROTLI_PARAM_SIZE_HINT] = size
      return createBrotliCompress({ params, ...STREAM_OPTIONS })
    }
    return createGzip({ ...this.#gzip, ...STREAM_OPTIONS })
  }
}
