// Who may enqueue, read and cancel jobs: a bearer token equal to the secret (when jobs.bearer allows it) or an
// HMAC-SHA256 signature of `<timestamp>.<body>` with the secret, the timestamp within the replay window. A type
// with its own secret accepts only that one. The replay-once check of a signature happens atomically with the
// store (scripts.ts), so a captured request can't be replayed inside the window either.
import { SIPUP_ERR_JOBS_UNAUTHORIZED } from '../../errors.js'
import { matchesSecret, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from './signature.js'

export interface AuthSettings {
  bearer: boolean
  replayWindowMs: number
  now: () => number
}

export interface AuthResult {
  /** The signature, when the request was signed (for the replay-once check). */
  signature: string | undefined
}

type Headers = Record<string, string | string[] | undefined>

const one = (v: string | string[] | undefined): string | undefined => Array.isArray(v) ? v[0] : v

/** Throws SIPUP_ERR_JOBS_UNAUTHORIZED with the reason; `secret` '' means none configured (everything refused). */
export function authenticate (settings: AuthSettings, headers: Headers, body: string, secret: string): AuthResult {
  if (secret === '') throw new SIPUP_ERR_JOBS_UNAUTHORIZED('no secret configured (set jobs.secret or SIDECAR_JOBS_SECRET)')
  const signature = one(headers[SIGNATURE_HEADER])
  if (signature !== undefined) {
    const ts = one(headers[TIMESTAMP_HEADER])
    if (ts === undefined || !/^\d{1,12}$/.test(ts)) throw new SIPUP_ERR_JOBS_UNAUTHORIZED(`${TIMESTAMP_HEADER} (unix seconds) is required with a signature`)
    if (Math.abs(settings.now() - Number(ts) * 1000) > settings.replayWindowMs) {
      throw new SIPUP_ERR_JOBS_UNAUTHORIZED(`${TIMESTAMP_HEADER} is outside the replay window (check the clocks; sign each request anew)`)
    }
    if (!verify(secret, ts, body, signature)) throw new SIPUP_ERR_JOBS_UNAUTHORIZED('bad signature')
    return { signature }
  }
  const auth = one(headers.authorization)
  if (auth !== undefined && /^bearer /i.test(auth)) {
    if (!settings.bearer) throw new SIPUP_ERR_JOBS_UNAUTHORIZED('bearer tokens are off (jobs.bearer): sign the request')
    if (!matchesSecret(auth.slice(7).trim(), secret)) throw new SIPUP_ERR_JOBS_UNAUTHORIZED('bad token')
    return { signature: undefined }
  }
  throw new SIPUP_ERR_JOBS_UNAUTHORIZED(`no credentials: send Authorization: Bearer <secret> or ${SIGNATURE_HEADER}`)
}
