// The job endpoint's error answers: the core's RFC 9457 problem details (src/core/problem.ts) with the endpoint's
// own codes for Fastify's errors, `errors` naming each bad field, `instance`, Retry-After on 503 and the Bearer
// challenge on 401. Never a stack trace.
import type { FastifyError, FastifyReply } from 'fastify'
import {
  SIPUP_ERR_JOBS_INTERNAL, SIPUP_ERR_JOBS_INVALID_PAYLOAD, SIPUP_ERR_JOBS_PAYLOAD_TOO_LARGE
} from '../../errors.js'
import { problemFromError, sendProblem as sendCoreProblem, type Problem } from '../../core/problem.js'
import type { PayloadProblem } from './options.js'

/** Seconds a client should wait before retrying after a 503 (Redis down). */
export const RETRY_AFTER_S = 5

/** Fastify's own errors in this scope, under the endpoint's codes. */
const FASTIFY_CODES: Record<string, { code: string, statusCode: number }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: SIPUP_ERR_JOBS_PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: SIPUP_ERR_JOBS_INVALID_PAYLOAD.code, statusCode: 415 },
  FST_ERR_CTP_EMPTY_JSON_BODY: SIPUP_ERR_JOBS_INVALID_PAYLOAD,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: SIPUP_ERR_JOBS_INVALID_PAYLOAD
}

export function sendProblem (reply: FastifyReply, err: FastifyError & { problems?: PayloadProblem[] }, instance: string): FastifyReply {
  let p: Problem = problemFromError(err)
  const mapped = err.code !== undefined ? FASTIFY_CODES[err.code] : undefined
  if (mapped !== undefined) p = { ...p, status: mapped.statusCode, code: mapped.code }
  else if (!err.code?.startsWith('SIPUP_ERR_') && p.status >= 500) p = { ...p, code: SIPUP_ERR_JOBS_INTERNAL.code }
  else if (!err.code?.startsWith('SIPUP_ERR_')) p = { ...p, code: SIPUP_ERR_JOBS_INVALID_PAYLOAD.code }
  // A 503 here means Redis is down: say so, the caller retries.
  if (p.status === 503) p = { ...p, detail: err.message }
  const extra: Record<string, unknown> = { instance }
  if (err.problems !== undefined) extra.errors = err.problems
  if (p.status === 401) reply.header('www-authenticate', 'Bearer realm="sipup-jobs"')
  return sendCoreProblem(reply, p, { json: true, extra, retryAfterS: p.status === 503 ? RETRY_AFTER_S : undefined })
}
