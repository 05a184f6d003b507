// Compresses one response with brotli or gzip on its way to the client. A body with a Content-Length up to
// WHOLE_MAX (64 KB) is held until its last byte and compressed in one call (see WHOLE_MAX); anything longer is
// streamed through a zlib stream, never held whole. Without a Content-Length, the chunks that arrive before the
// origin first pauses are held (at most until minSize bytes): a body that ends by then below minSize goes out
// uncompressed with its length, anything longer or still streaming is compressed. Such a body is flushed through
// zlib whenever the origin pauses, so a page the PHP app flush()es in parts reaches the browser in the same parts;
// a streamed body with a Content-Length was complete at the origin before it was sent (PHP's output buffer), so
// it is not flushed (a flush costs size and a zlib round). One object per response, state in fields, methods on
// the prototype.
import type { ServerResponse } from 'node:http'
import { constants } from 'node:zlib'
import type { Dispatcher } from 'undici'
import type { FastifyBaseLogger } from 'fastify'
import { BR, CODING_NAMES, weakenEtag, type Encoding } from '../../core/content-coding.js'
import type { CompressionParams, Decision, ResponseHeaders } from './decide.js'
import type { Compressor } from './codecs.js'
import { memoKey } from './memo.js'

// A body with a Content-Length up to this size is compressed in one synchronous call once its last byte is in
// (a page: one or two socket reads). zlib streams hop to libuv's thread pool per write and back, and on a busy
// machine each hop waits for a core: measured, that cost 5x the latency of the page. Larger bodies stream.
const WHOLE_MAX = 64 * 1024

/** Compressed-representation headers: the coding, no identity ranges, a weak ETag (RFC 9110 §8.8.1). */
function markEncoded (headers: ResponseHeaders, encoding: Encoding): void {
  headers['content-encoding'] = CODING_NAMES[encoding]
  delete headers['content-length']
  delete headers['accept-ranges']
  const etag = headers.etag
  if (typeof etag === 'string') headers.etag = weakenEtag(etag)
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
  /** The Content-Length of a body compressed whole (WHOLE_MAX), else -1. */
  readonly #whole: number
  #decideTimer: NodeJS.Immediate | null = null
  #flushTimer: NodeJS.Immediate | null = null
  #controller: Dispatcher.DispatchController | null = null
  #paused = false
  #done = false
  /** Flush when the origin pauses: only for bodies of unknown length (see #flush). */
  readonly #flushes: boolean
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
    const len = decision.sizeUnknown ? -1 : Number(headers['content-length'])
    this.#whole = len >= 0 && len <= WHOLE_MAX ? len : -1
    this.#held = decision.sizeUnknown || this.#whole >= 0 ? [] : null
    this.#flushes = decision.sizeUnknown
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
      if (this.#whole >= 0) {
        if (this.#heldBytes >= this.#whole) this.#sendWhole()
        return
      }
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
    if (this.#flushes && this.#flushTimer === null) this.#flushTimer = setImmediate(this.#flushNow)
  }

  end (): void {
    if (this.#done) return
    if (this.#whole >= 0 && this.#held !== null) {
      this.#sendWhole()
      return
    }
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

  #sendWhole (): void {
    const held = this.#held as Buffer[]
    this.#held = null
    this.#done = true
    this.#res.removeListener('close', this.#onClose)
    const res = this.#res
    const headers = this.#headers
    const body = held.length === 1 ? held[0] : Buffer.concat(held, this.#heldBytes)
    const encoding = this.#encoding
    const memo = this.#params.memo
    const key = memo === null ? 0 : memoKey(encoding, body)
    let out = memo === null ? null : memo.get(encoding, body, key)
    if (out === null) {
      try {
        out = this.#params.codecs.compress(encoding, body)
        if (memo !== null) memo.set(encoding, body, out, key)
      } catch (err) {
        this.#log.warn({ err }, 'proxy compression failed, sending uncompressed')
      }
    }
    if (out !== null) {
      markEncoded(headers, this.#encoding)
      headers['content-length'] = String(out.length)
    }
    res.writeHead(this.#status, headers)
    res.end(out ?? body)
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
        zlib = this.#params.codecs.stream(this.#encoding, Number(headers['content-length'] ?? 0))
      } catch (err) {
        // Out of memory for a compressor: send this one uncompressed rather than fail it.
        this.#log.warn({ err }, 'proxy compression: could not create a compressor, sending uncompressed')
      }
    }
    if (zlib !== null) {
      markEncoded(headers, this.#encoding)
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
    if (zlib !== null && this.#flushes && this.#flushTimer === null) this.#flushTimer = setImmediate(this.#flushNow)
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
