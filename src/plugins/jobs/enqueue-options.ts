// The options of an enqueue (priority, delay, runAt, Idempotency-Key) as the single POST's query string and headers
// and each batch item give them: parsed and bounded in one place for both routes and the producer.
import { SIPUP_ERR_JOBS_INVALID_OPTION, type SIPUP_ERR_JOBS_INVALID_PAYLOAD } from '../../errors.js'
import { parseDuration } from '../../config/units.js'
import type { PayloadProblem } from './options.js'
import { PRIORITIES, type Priority } from './schema.js'
import type { EnqueueOptions } from './types.js'

/** Longest delay or runAt accepted (a job further out is better a schedule). */
export const MAX_DELAY_MS = 366 * 86_400_000
/** Longest Idempotency-Key accepted. */
export const MAX_IDEMPOTENCY_KEY = 255

export type PayloadError = InstanceType<typeof SIPUP_ERR_JOBS_INVALID_PAYLOAD> & { problems: PayloadProblem[] }

/** Raw request options (query string or headers) as strings. */
export interface RawEnqueueOptions {
  priority?: string | undefined
  delay?: string | undefined
  runAt?: string | undefined
  idempotencyKey?: string | undefined
}

export function parseEnqueueOptions (raw: RawEnqueueOptions, now: number): EnqueueOptions {
  const out: EnqueueOptions = {}
  if (raw.priority !== undefined && raw.priority !== '') {
    if (!(PRIORITIES as readonly string[]).includes(raw.priority)) throw new SIPUP_ERR_JOBS_INVALID_OPTION('priority', PRIORITIES.join(', '), raw.priority)
    out.priority = raw.priority as Priority
  }
  if (raw.delay !== undefined && raw.delay !== '') {
    // A bare number is seconds here (PHP's time arithmetic), unlike config durations.
    const ms = /^\d+$/.test(raw.delay) ? Number(raw.delay) * 1000 : parseDuration(raw.delay)
    if (ms === undefined || ms > MAX_DELAY_MS) throw new SIPUP_ERR_JOBS_INVALID_OPTION('delay', 'seconds or a duration (90, 30s, 5m, 2h) up to 366d', raw.delay)
    out.delayMs = ms
  }
  if (raw.runAt !== undefined && raw.runAt !== '') {
    const at = /^\d+$/.test(raw.runAt) ? Number(raw.runAt) * 1000 : Date.parse(raw.runAt)
    if (!Number.isFinite(at) || at > now + MAX_DELAY_MS) throw new SIPUP_ERR_JOBS_INVALID_OPTION('runAt', 'an ISO 8601 time or unix seconds, at most 366 days ahead', raw.runAt)
    out.runAt = at
  }
  if (raw.idempotencyKey !== undefined) {
    if (raw.idempotencyKey === '' || raw.idempotencyKey.length > MAX_IDEMPOTENCY_KEY) {
      throw new SIPUP_ERR_JOBS_INVALID_OPTION('Idempotency-Key', `1 to ${MAX_IDEMPOTENCY_KEY} characters`, raw.idempotencyKey.slice(0, 40))
    }
    out.idempotencyKey = raw.idempotencyKey
  }
  return out
}
