// The zlib side of pass-through compression: brotli and gzip options built once at start-up, a body compressed in
// one synchronous call, and the streaming compressors for bodies too long to hold.
import { brotliCompressSync, constants, createBrotliCompress, createGzip, gzipSync, type BrotliCompress, type Gzip } from 'node:zlib'
import { BR, type Encoding } from '../../core/content-coding.js'

export type Compressor = BrotliCompress | Gzip

// Larger than zlib's default 16 KB so a typical page is handed over in one write without a pause/drain round.
// zlib hands its options to the Transform constructor; @types/node's ZlibOptions doesn't list the stream ones.
const STREAM_OPTIONS = { writableHighWaterMark: 64 * 1024 } as Record<string, number>
/** Brotli's smallest window. */
const BROTLI_MIN_LGWIN = 10
/** zlib's smallest window for deflate (it turns 8 into 9). */
const ZLIB_MIN_WINDOW_BITS = 9
/** Bytes at the end of deflate's window it keeps for lookahead, so a match reaches back 2^windowBits - 262. */
const ZLIB_MIN_LOOKAHEAD = 262

/**
 * The smallest brotli window that holds a body of `size` bytes (a window is 2^lgwin - 16 bytes), at most `max`
 * (proxy.compression.brotliWindow); `max` for an unknown size (0). A window larger than the body finds no more
 * matches, and it costs an allocation per response: for a 20 KB page the 512 KB window cost more CPU than the 32 KB
 * one with the same output (bench/compression-levels.ts).
 */
export function brotliWindowFor (size: number, max: number): number {
  if (size <= 0) return max
  let w = BROTLI_MIN_LGWIN
  while (w < max && (1 << w) - 16 < size) w++
  return w
}

/** The same for deflate: the smallest windowBits whose reach covers `size` bytes, at most `max`. */
export function gzipWindowFor (size: number, max: number): number {
  if (size <= 0) return max
  let w = ZLIB_MIN_WINDOW_BITS
  while (w < max && (1 << w) - ZLIB_MIN_LOOKAHEAD < size) w++
  return w
}

/**
 * memLevel for a body that fits a `windowBits` window: deflate buffers 2^(memLevel + 6) symbols per block and
 * keeps 2^(memLevel + 7) hash heads, so memLevel = windowBits - 6 already covers the whole body; at most `max`
 * (proxy.compression.gzipMemLevel). zlib allocates both per response; sized to the body they take a fraction of the
 * memory (the window, not memLevel, is what showed in instruction counts: README, "Levels and windows").
 */
export function gzipMemLevelFor (windowBits: number, max: number): number {
  return Math.max(1, Math.min(windowBits - 6, max))
}

interface BrotliOptions { params: Record<number, number> }
interface GzipOptions { level: number, memLevel: number, windowBits: number }

export interface CodecParams {
  readonly brotliQuality: number
  /** Largest brotli window, lgwin (10-24). */
  readonly brotliWindow: number
  readonly gzipLevel: number
  /** zlib memLevel (1-9): the size of deflate's hash table and literal buffer. */
  readonly gzipMemLevel: number
  /** Largest deflate window, windowBits (9-15). */
  readonly gzipWindowBits: number
}

/** Per-response compression with options decided at start-up: one options object per window size and coding, so a
 * response picks one by index and allocates none. */
export class Codecs {
  /** Indexed by lgwin (entries below BROTLI_MIN_LGWIN unused). */
  readonly #brotli: BrotliOptions[] = []
  /** Indexed by windowBits (entries below ZLIB_MIN_WINDOW_BITS unused). */
  readonly #gzip: GzipOptions[] = []
  readonly #brotliMax: number
  readonly #gzipMax: number

  constructor (p: CodecParams) {
    this.#brotliMax = p.brotliWindow
    this.#gzipMax = p.gzipWindowBits
    for (let w = 0; w <= p.brotliWindow; w++) {
      this.#brotli.push({
        params: {
          [constants.BROTLI_PARAM_QUALITY]: p.brotliQuality,
          [constants.BROTLI_PARAM_LGWIN]: Math.max(w, BROTLI_MIN_LGWIN),
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT
        }
      })
    }
    for (let w = 0; w <= p.gzipWindowBits; w++) {
      const windowBits = Math.max(w, ZLIB_MIN_WINDOW_BITS)
      this.#gzip.push({ level: p.gzipLevel, memLevel: gzipMemLevelFor(windowBits, p.gzipMemLevel), windowBits })
    }
  }

  /** `body` compressed in one call (a body held whole: see WHOLE_MAX in encoder.ts). Throws what zlib throws. */
  compress (encoding: Encoding, body: Buffer): Buffer {
    if (encoding === BR) return brotliCompressSync(body, this.#brotli[brotliWindowFor(body.length, this.#brotliMax)])
    return gzipSync(body, this.#gzip[gzipWindowFor(body.length, this.#gzipMax)])
  }

  /** A zlib stream for a body of `size` bytes (0: unknown). */
  stream (encoding: Encoding, size: number): Compressor {
    if (encoding === BR) {
      const params = { ...this.#brotli[brotliWindowFor(size, this.#brotliMax)].params }
      if (size > 0) params[constants.BROTLI_PARAM_SIZE_HINT] = size
      return createBrotliCompress({ params, ...STREAM_OPTIONS })
    }
    return createGzip({ ...this.#gzip[gzipWindowFor(size, this.#gzipMax)], ...STREAM_OPTIONS })
  }
}
