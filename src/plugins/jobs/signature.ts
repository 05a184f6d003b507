// HMAC-SHA256 request signatures, one format both ways: the PHP app signs its enqueue requests, the `http`
// handler signs its callbacks into PHP. Signed string: `<unix seconds>.<body bytes>`; header value
// `sha256=<hex>`. Comparisons are constant-time.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

export const SIGNATURE_HEADER = 'x-sidecar-signature'
export const TIMESTAMP_HEADER = 'x-sidecar-timestamp'
const SCHEME = 'sha256='

export function sign (secret: string, timestamp: string, body: string | Buffer): string {
  return SCHEME + createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')
}

/** Constant-time string equality (both sides hashed first, so lengths leak nothing either). */
export function safeEqual (a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest())
}

export function verify (secret: string, timestamp: string, body: string | Buffer, header: string): boolean {
  return safeEqual(sign(secret, timestamp, body), header)
}
