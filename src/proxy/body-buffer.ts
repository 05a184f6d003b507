// Request body buffering (proxy.requestBuffering): the whole body is read before an origin connection is taken, as
// nginx does in front of PHP-FPM. Streaming uploads hold one of upstream.connections for as long as the client
// takes to send them, so a few dozen slow uploads (1 byte every few seconds) took every origin connection of the
// demo; buffered, a slow client costs the sidecar a little memory or a temp file, never an origin connection.
// - memory up to proxy.bufferMemory, then a temporary file (created 0600 in proxy.bufferDir and unlinked at once,
//   so a crash leaves nothing behind); both counted against proxy.maxRequestBody (413);
// - a receive-rate floor: a pause longer than proxy.bodyTimeout, or an average below proxy.bodyMinRate once
//   bodyTimeout has passed, ends the upload with 408;
// - at most proxy.maxUploadsPerIp bodies being received per client IP (request.ip, so behind nginx the real client).
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { open, unlink, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { SIPUP_ERR_INTERNAL, SIPUP_ERR_REQUEST_BODY_TIMEOUT, SIPUP_ERR_REQUEST_TOO_MANY_UPLOADS } from '../errors.js'
import { problem, type Problem } from '../core/problem.js'
import { BODY_TOO_LARGE } from './upstream-errors.js'

export const BODY_TIMEOUT: Problem = problem(SIPUP_ERR_REQUEST_BODY_TIMEOUT,
  'The request body arrived too slowly. Please try again on a better connection.', { title: 'Request timeout' })
export const TOO_MANY_UPLOADS: Problem = problem(SIPUP_ERR_REQUEST_TOO_MANY_UPLOADS,
  'Too many uploads from your address are in progress. Wait for one to finish and try again.')
/** The temp file could not be written (disk full, I/O error): a server fault, in the fixed 5xx words. */
const BUFFER_FAILED: Problem = problem(SIPUP_ERR_INTERNAL, 'The request could not be completed. Please try again in a moment.')
/** The client went away mid-body: nothing to answer. */
export const CLIENT_GONE = 'client-gone'

export interface BufferLimits {
  /** Bytes kept in memory before the body moves to a temp file. */
  readonly memory: number
  /** proxy.maxRequestBody; 0 = no limit. */
  readonly max: number
  readonly dir: string
  /** Longest pause between chunks, and the grace before minRate applies (ms); 0 = none. */
  readonly idleMs: number
  /** Bytes per second; 0 = none. */
  readonly minRate: number
}

export interface BufferedBody {
  readonly body: Buffer | Readable
  readonly length: number
  /** Releases the temp file if the body was never (fully) read by the origin request. */
  dispose(): void
}

type Outcome = Problem | typeof CLIENT_GONE

/** One upload being received; resolves with the whole body, rejects with the Problem to answer (or CLIENT_GONE). */
class BodyReader {
  readonly #raw: IncomingMessage
  readonly #limits: BufferLimits
  readonly #start = performance.now()
  #last = performance.now()
  #seen = 0
  #chunks: Buffer[] = []
  #file: FileHandle | null = null
  #out: Writable | null = null
  #opening = false
  /** The temp file could not be made: the rest stays in memory (maxRequestBody still bounds it). */
  #memoryOnly = false
  #done = false
  #timer: NodeJS.Timeout | null = null
  #resolve: (b: BufferedBody) => void = () => {}
  #reject: (o: Outcome) => void = () => {}

  constructor (raw: IncomingMessage, limits: BufferLimits) {
    this.#raw = raw
    this.#limits = limits
  }

  read (): Promise<BufferedBody> {
    return new Promise<BufferedBody>((resolve, reject) => {
      this.#resolve = resolve
      this.#reject = reject
      const raw = this.#raw
      raw.on('data', this.#onData)
      raw.once('end', this.#onEnd)
      raw.once('aborted', this.#onGone)
      raw.once('error', this.#onGone)
      raw.socket.once('close', this.#onGone)
      if (this.#limits.idleMs > 0) this.#arm()
    })
  }

  #arm (): void {
    this.#timer = setTimeout(this.#tick, Math.min(1000, this.#limits.idleMs))
    this.#timer.unref()
  }

  readonly #tick = (): void => {
    if (this.#done) return
    const now = performance.now()
    const { idleMs, minRate } = this.#limits
    const elapsed = now - this.#start
    if (now - this.#last > idleMs || (minRate > 0 && elapsed > idleMs && this.#seen * 1000 / elapsed < minRate)) {
      this.#fail(BODY_TIMEOUT)
      return
    }
    this.#arm()
  }

  readonly #onData = (chunk: Buffer): void => {
    if (this.#done) return
    this.#seen += chunk.length
    this.#last = performance.now()
    const { max, memory } = this.#limits
    if (max > 0 && this.#seen > max) {
      this.#fail(BODY_TOO_LARGE)
      return
    }
    if (this.#out !== null) {
      if (!this.#out.write(chunk)) {
        this.#raw.pause()
        this.#out.once('drain', this.#resume)
      }
      return
    }
    this.#chunks.push(chunk)
    if (!this.#opening && !this.#memoryOnly && this.#seen > memory) this.#toFile()
  }

  readonly #resume = (): void => { if (!this.#done) this.#raw.resume() }

  /** Past the memory bound: the rest goes to a temp file. Reading pauses until it is open. */
  #toFile (): void {
    this.#opening = true
    this.#raw.pause()
    const path = join(this.#limits.dir, `sipup-body-${process.pid}-${randomUUID()}`)
    open(path, 'wx+', 0o600).then(async fh => {
      await unlink(path).catch(() => undefined)
      if (this.#done) {
        await fh.close()
        return
      }
      this.#file = fh
      const out = fh.createWriteStream({ autoClose: false, start: 0 })
      out.on('error', () => this.#fail(BUFFER_FAILED))
      this.#out = out
      for (const c of this.#chunks) out.write(c)
      this.#chunks = []
      if (this.#raw.readableEnded) this.#onEnd()
      else this.#raw.resume()
    }, () => {
      // No temp file (full disk, bad bufferDir): keep it in memory rather than fail the upload.
      this.#opening = false
      this.#memoryOnly = true
      if (this.#raw.readableEnded) this.#onEnd()
      else this.#raw.resume()
    })
  }

  readonly #onEnd = (): void => {
    if (this.#done) return
    if (this.#opening && this.#out === null && !this.#memoryOnly) return // #toFile finishes the job
    this.#finish()
    const length = this.#seen
    const out = this.#out
    const file = this.#file
    if (out === null || file === null) {
      const body = this.#chunks.length === 1 ? this.#chunks[0] : Buffer.concat(this.#chunks, length)
      this.#chunks = []
      this.#resolve({ body, length, dispose: () => {} })
      return
    }
    out.end(() => {
      const body = file.createReadStream({ start: 0, autoClose: true })
      this.#resolve({ body, length, dispose: () => { body.destroy() } })
    })
  }

  readonly #onGone = (): void => {
    if (!this.#done && !this.#raw.complete) this.#fail(CLIENT_GONE)
  }

  #finish (): void {
    this.#done = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    const raw = this.#raw
    raw.off('data', this.#onData)
    raw.off('end', this.#onEnd)
    raw.off('aborted', this.#onGone)
    raw.off('error', this.#onGone)
    raw.socket?.off('close', this.#onGone)
  }

  #fail (outcome: Outcome): void {
    if (this.#done) return
    this.#finish()
    this.#chunks = []
    this.#out?.destroy()
    this.#file?.close().catch(() => undefined)
    this.#reject(outcome)
  }
}

export function bufferBody (raw: IncomingMessage, limits: BufferLimits): Promise<BufferedBody> {
  return new BodyReader(raw, limits).read()
}

/** Bodies being received per client IP. */
export class UploadSlots {
  readonly #max: number
  readonly #open = new Map<string, number>()

  constructor (max: number) {
    this.#max = max
  }

  acquire (ip: string): boolean {
    const n = this.#open.get(ip) ?? 0
    if (this.#max > 0 && n >= this.#max) return false
    this.#open.set(ip, n + 1)
    return true
  }

  release (ip: string): void {
    const n = (this.#open.get(ip) ?? 1) - 1
    if (n <= 0) this.#open.delete(ip)
    else this.#open.set(ip, n)
  }
}
