// `key: field` rules (one login form attacked from many IPs): read a small urlencoded body, take the field, and
// hand the bytes to the core (`request.sidecar.body`) so the origin receives them unchanged. Only bodies with a
// Content-Length within the cap are read; anything else (chunked, multipart, larger) is left streaming and the
// rule keys on the IP instead.
import type { IncomingMessage } from 'node:http'
import { hashId } from './identity.js'

const FORM_TYPE = 'application/x-www-form-urlencoded'

/** The body's length when it qualifies for reading, else -1. */
export function readableFormLength (req: IncomingMessage, max: number): number {
  const type = req.headers['content-type']
  if (type === undefined || type.slice(0, FORM_TYPE.length).toLowerCase() !== FORM_TYPE) return -1
  if (req.headers['transfer-encoding'] !== undefined) return -1
  const len = req.headers['content-length']
  if (len === undefined || !/^\d+$/.test(len)) return -1
  const n = Number(len)
  return n > 0 && n <= max ? n : -1
}

/** Buffers exactly `length` bytes of the request body; null when the client aborts or sends a different length. */
export function readBody (req: IncomingMessage, length: number): Promise<Buffer | null> {
  return new Promise(resolve => {
    const buf = Buffer.allocUnsafe(length)
    let at = 0
    const done = (ok: boolean): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('aborted', onError)
      resolve(ok && at === length ? buf : null)
    }
    const onData = (chunk: Buffer): void => {
      if (at + chunk.length > length) { done(false); return }
      chunk.copy(buf, at)
      at += chunk.length
    }
    const onEnd = (): void => { done(true) }
    const onError = (): void => { done(false) }
    req.on('data', onData)
    req.once('end', onEnd)
    req.once('error', onError)
    req.once('aborted', onError)
  })
}

/**
 * The field's value as a key: trimmed and lower-cased, because the legacy shop looks users up in MySQL, whose
 * default collations ignore case and trailing spaces (`Admin ` and `admin` are one account), then hashed.
 * Null when the field is missing or empty.
 */
export function formFieldKey (body: Buffer, field: string): string | null {
  const value = new URLSearchParams(body.toString('utf8')).get(field)
  if (value === null) return null
  const v = value.trim().toLowerCase()
  return v === '' ? null : `f:${hashId(v)}`
}
