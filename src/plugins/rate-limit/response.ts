// The answers the limiter gives itself: 429 (limited), 403 (banned, denied), 503 (store down, fail closed), as the
// core's problem details (with the draft's quota-exceeded type and the violated policies) or its HTML page.
import type { FastifyReply } from 'fastify'
import {
  SIPUP_ERR_RATELIMIT_BANNED, SIPUP_ERR_RATELIMIT_DENIED, SIPUP_ERR_RATELIMIT_LIMITED, SIPUP_ERR_RATELIMIT_UNAVAILABLE
} from '../../errors.js'
import { problem, sendProblem, type Problem } from '../../core/problem.js'

const PROBLEMS = {
  limited: problem(SIPUP_ERR_RATELIMIT_LIMITED, 'You have sent too many requests. Please wait a moment and try again.', {
    title: 'Too many requests',
    // draft-ietf-httpapi-ratelimit-headers-11 §5.1
    type: 'https://iana.org/assignments/http-problem-types#quota-exceeded'
  }),
  banned: problem(SIPUP_ERR_RATELIMIT_BANNED, 'Your address has been blocked for a while after repeatedly exceeding request limits.', {
    title: 'Forbidden',
    type: 'https://iana.org/assignments/http-problem-types#abnormal-usage-detected'
  }),
  denied: problem(SIPUP_ERR_RATELIMIT_DENIED, 'Requests from your address are not accepted.', { title: 'Forbidden' }),
  unavailable: problem(SIPUP_ERR_RATELIMIT_UNAVAILABLE, 'The site is busy. Please try again in a moment.', { title: 'Service unavailable' })
} satisfies Record<string, Problem>

export type Rejection = keyof typeof PROBLEMS

/** Sends the rejection. `retryMs` > 0 adds Retry-After (whole seconds, rounded up). */
export function reject (reply: FastifyReply, kind: Rejection, retryMs: number, policies: readonly string[]): FastifyReply {
  const retryAfterS = retryMs > 0 ? Math.max(1, Math.ceil(retryMs / 1000)) : 0
  return sendProblem(reply, PROBLEMS[kind], {
    retryAfterS,
    extra: policies.length > 0 ? { 'violated-policies': policies } : undefined
  })
}
