// Streams one response through brotli or gzip to the client. Nothing is buffered beyond what zlib holds, except,
// when the origin sent no Content-Length, the chunks that arrive before the origin first pauses (at most until
// minSize bytes): a body that ends by then below minSize goes out uncompressed with its length, anything longer
// or still streaming is compressed. zlib is flushed whenever the origin pauses, so a page the PHP app flush()es
// in parts reaches the browser in the same parts. One object per response, state in fields, methods on the
// prototype.
import type { ServerResponse } from 'node:http'
import { constants, createBrotliCompress, createGzip, type BrotliCompress, type Gzip } from 'node:zlib'
import type { Dispatcher } from 'undici'
import type { FastifyBaseLogger } from 'fastify'
import { BR, CODING_NAMES, type Encoding } from '../../core/content-coding.js'
import type { CompressionParams, Decision, ResponseHeaders } from './decide.js'

type Compressor = BrotliCompress | Gzip

// Larger than zlib's default 16 KB so a typical page is handed over in one write without a pause/drain round.
// zlib hands its options to the Transform constructor; @types/node's ZlibOptions doesn't list the stream ones.
const STREAM_OPTIONS = { writableHighWaterMark: 64 * 1024 } as Record<string, number>
// 512 KB window (ngx_brotli's default): the 4 MB default costs memory per open response for little gain on pages.
const BROTLI_LGWIN = 19

function createCompressor (encoding: Encoding, p: CompressionParams, size: number): Compressor {
  if (encoding === BR) {
    const params: Record<number, number> = {
      [constants.BROTLI_PARAM_QUALITY]: p.brotliQuality,
      [constants.BROTLI_PARAM_LGWIN]: BROTLI_LGWIN,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT
    }
    if (size > 0) params[constants.BROTLI_PARAM_SIZE_HINT] = size
    return createBrotliCompress({ params, ...STREAM_OPTIONS })
  }
  return createGzip({ level: p.gzipLevel, ...STREAM_OPTIONS })
}

export class ResponseEncoder {
  readonly #res: ServerResponse
  readonly #log: FastifyBaseLogger
  readonly #params: CompressionParams
  readonly #encoding: Encoding
  readonly #status: number
  readonly #headers: ResponseHeaders
  #zlib: Compressor | null = null
  /** Chunks held while the size is unknown; null once the head is written. */
  #held: Buffer[] | null
  #heldBytes = 0
  #decideTimer: NodeJS.Immediate | null = null
  #flushTimer: NodeJS.Immediate | null = null
  #controller: Dispatcher.DispatchController | null = null
  #paused = false
  #done = false
  readonly #onDrain: () => void
  readonly #onClose: () => void
  readonly #onError: (err: Error) => void
  readonly #decideNow: () => void
  readonly #flushNow: () => void

  constructor (res: ServerResponse, log: FastifyBaseLogger, params: CompressionParams, status: number,
    headers: ResponseHeaders, decision: Decision) {
    this.#res = res
    this.#log = log
    this.#params = params
    this.#encoding = decision.encoding
    this.#status = status
    this.#headers = headers
    this.#held = decision.sizeUnknown ? [] : null
    this.#onDrain = this.#resume.bind(this)
    this.#onClose = this.abort.bind(this)
    this.#onError = this.#failed.bind(this)
    this.#decideNow = this.#decide.bind(this)
    this.#flushNow = this.#flush.bind(this)
    res.once('close', this.#onClose)
    if (this.#held === null) this.#commit(true)
  }

  write (controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#done) return
    this.#controller = controller
    const held = this.#held
    if (held !== null) {
      held.push(chunk)
      this.#heldBytes += chunk.length
      if (this.#heldBytes >= this.#params.minSize) this.#commit(true)
      else if (this.#decideTimer === null) this.#decideTimer = setImmediate(this.#decideNow)
      return
    }
    const zlib = this.#zlib
    if (zlib === null) {
      this.#writeRaw(controller, chunk)
      return
    }
    if (!zlib.write(chunk) && !this.#paused) {
      this.#paused = true
      controller.pause()
      zlib.once('drain', this.#onDrain)
    }
    if (this.#flushTimer === null) this.#flushTimer = setImmediate(this.#flushNow)
  }

  end (): void {
    if (this.#done) return
    if (this.#held !== null) this.#commit(false)
    this.#done = true
    this.#clearTimers()
    if (this.#zlib !== null) this.#zlib.end()
    else this.#res.end()
  }

  /** The response is given up (origin error, client gone): nothing more is written, zlib's memory is freed. */
  abort (): void {
    this.#clearTimers()
    this.#held = null
    if (this.#done) return
    this.#done = true
    this.#res.removeListener('close', this.#onClose)
    const zlib = this.#zlib
    if (zlib !== null) {
      zlib.unpipe(this.#res)
      zlib.destroy()
    }
  }

  /** The headers have not been written yet (an error can still be answered with a problem response). */
  get headPending (): boolean {
    return this.#held !== null
  }

  /** The origin paused before minSize bytes arrived and has not ended: a streaming page, so compress it. */
  #decide (): void {
    this.#decideTimer = null
    if (this.#held !== null && !this.#done) this.#commit(true)
  }

  #commit (compress: boolean): void {
    const held = this.#held
    this.#held = null
    if (this.#decideTimer !== null) { clearImmediate(this.#decideTimer); this.#decideTimer = null }
    const res = this.#res
    const headers = this.#headers
    let zlib: Compressor | null = null
    if (compress) {
      try {
        zlib = createCompressor(this.#encoding, this.#params, Number(headers['content-length'] ?? 0))
      } catch (err) {
        // Out of memory for a compressor: send this one uncompressed rather than fail it.
        this.#log.warn({ err }, 'proxy compression: could not create a compressor, sending uncompressed')
      }
    }
    if (zlib !== null) {
      headers['content-encoding'] = CODING_NAMES[this.#encoding]
      delete headers['content-length']
      // Ranges of the identity body no longer apply, and a strong ETag names identical bytes (RFC 9110 §8.8.1).
      delete headers['accept-ranges']
      const etag = headers.etag
      if (typeof etag === 'string' && etag.startsWith('"')) headers.etag = `W/${etag}`
      zlib.on('error', this.#onError)
      zlib.pipe(res)
      this.#zlib = zlib
    } else if (held !== null && !compress) {
      headers['content-length'] = String(this.#heldBytes)
    }
    res.writeHead(this.#status, headers)
    if (held === null) return
    for (const chunk of held) {
      if (zlib !== null) zlib.write(chunk)
      else res.write(chunk)
    }
    if (zlib !== null && this.#flushTimer === null) this.#flushTimer = setImmediate(this.#flushNow)
  }

  #writeRaw (controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#res.write(chunk) || this.#paused) return
    this.#paused = true
    controller.pause()
    this.#res.once('drain', this.#onDrain)
  }

  #resume (): void {
    this.#paused = false
    this.#controller?.resume()
  }

  #flush (): void {
    this.#flushTimer = null
    const zlib = this.#zlib
    if (zlib === null || this.#done) return
    zlib.flush(this.#encoding === BR ? constants.BROTLI_OPERATION_FLUSH : constants.Z_SYNC_FLUSH)
  }

  #failed (err: Error): void {
    // The head is out: the client can only learn of it by the connection closing mid-body.
    this.#log.warn({ err: { code: (err as Error & { code?: string }).code, message: err.message } }, 'proxy compression failed mid-body')
    const controller = this.#controller
    this.abort()
    if (controller !== null && !controller.aborted) controller.abort(err)
    this.#res.destroy()
  }

  #clearTimers (): void {
    if (this.#decideTimer !== null) { clearImmediate(this.#decideTimer); this.#decideTimer = null }
    if (this.#flushTimer !== null) { clearImmediate(this.#flushTimer); this.#flushTimer = null }
  }
}
