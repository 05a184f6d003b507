// `http`: POST the payload to the legacy app, signed, with the job id and attempt, on a dispatcher of its own with
// the type's long timeout (slow PHP work leaves the request path, not the time limit). 2xx = done (a JSON answer
// is the result); anything else fails the attempt with the status and the first bytes of the body. The job id is
// sent as Idempotency-Key too: delivery is at-least-once, so PHP can skip a job it already did.
import { Agent, request, type Dispatcher } from 'undici'
import { SIPUP_ERR_JOBS_CALLBACK_FAILED } from '../../../errors.js'
import type { JobTypeParams } from '../options.js'
import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../signature.js'
import type { Handler, JobContext } from '../types.js'

/** Largest successful answer read as the job's result. */
const MAX_RESULT_BYTES = 64 * 1024

async function readUpTo (body: Dispatcher.ResponseData['body'], max: number): Promise<{ text: string, truncated: boolean }> {
  const chunks: Buffer[] = []
  let size = 0
  let truncated = false
  for await (const chunk of body) {
    const b = chunk as Buffer
    if (size + b.length > max) {
      chunks.push(b.subarray(0, max - size))
      truncated = true
      break
    }
    chunks.push(b)
    size += b.length
  }
  if (truncated) body.destroy()
  return { text: Buffer.concat(chunks).toString('utf8'), truncated }
}

export class HttpHandler implements Handler {
  readonly #type: JobTypeParams
  readonly #dispatcher: Dispatcher
  readonly #maxErrorBody: number
  readonly #ownDispatcher: boolean

  constructor (type: JobTypeParams, maxErrorBody: number, dispatcher?: Dispatcher) {
    this.#type = type
    this.#maxErrorBody = maxErrorBody
    this.#ownDispatcher = dispatcher === undefined
    this.#dispatcher = dispatcher ?? new Agent({ headersTimeout: type.timeoutMs, bodyTimeout: type.timeoutMs, connections: type.concurrency })
  }

  async run (payload: unknown, ctx: JobContext): Promise<unknown> {
    const body = JSON.stringify(payload ?? {})
    const timestamp = String(Math.floor(Date.now() / 1000))
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'sipup-sidecar-jobs',
      'x-sidecar-job-id': ctx.id,
      'x-sidecar-job-type': ctx.type,
      'x-sidecar-job-attempt': String(ctx.attempt),
      'idempotency-key': ctx.id
    }
    if (this.#type.secret !== '') {
      headers[TIMESTAMP_HEADER] = timestamp
      headers[SIGNATURE_HEADER] = sign(this.#type.secret, timestamp, body)
    }
    const res = await request(this.#type.target, {
      method: 'POST',
      body,
      headers,
      dispatcher: this.#dispatcher,
      signal: ctx.signal,
      headersTimeout: this.#type.timeoutMs,
      bodyTimeout: this.#type.timeoutMs
    })
    if (res.statusCode < 200 || res.statusCode > 299) {
      const { text, truncated } = await readUpTo(res.body, this.#maxErrorBody)
      throw new SIPUP_ERR_JOBS_CALLBACK_FAILED(res.statusCode, (text.trim() === '' ? '(empty body)' : text) + (truncated ? '…' : ''))
    }
    const { text, truncated } = await readUpTo(res.body, MAX_RESULT_BYTES)
    if (truncated) return { status: res.statusCode, truncated: true }
    const type = String(res.headers['content-type'] ?? '')
    if (/json/i.test(type) && text !== '') {
      try { return JSON.parse(text) as unknown } catch { return text }
    }
    return text === '' ? { status: res.statusCode } : text
  }

  async close (): Promise<void> {
    if (this.#ownDispatcher) await this.#dispatcher.close()
  }
}
