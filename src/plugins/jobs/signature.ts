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

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

/** Constant-time string equality (both sides hashed first, so lengths leak nothing either). */
export function safeEqual (a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b))
}

/**
 * Constant-time check of a token against a secret whose digest is computed once: the secrets are the configured
 * ones (a handful), so the memo is bounded by the config, never by request data.
 */
const secretDigests = new Map<string, Buffer>()
export function matchesSecret (token: string, secret: string): boolean {
  let d = secretDigests.get(secret)
  if (d === undefined) {
    d = digest(secret)
    if (secretDigests.size < 1024) secretDigests.set(secret, d)
  }
  return timingSafeEqual(digest(token), d)
}

export function verify (secret: string, timestamp: string, body: string | Buffer, header: string): boolean {
  return safeEqual(sign(secret, timestamp, body), header)
}
