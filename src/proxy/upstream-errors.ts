// Maps undici's error codes to what the client gets. Branch on err.code, never instanceof across packages.
import {
  SIPUP_ERR_REQUEST_BODY_TOO_LARGE, SIPUP_ERR_UPSTREAM_BAD_RESPONSE, SIPUP_ERR_UPSTREAM_TIMEOUT, SIPUP_ERR_UPSTREAM_UNAVAILABLE
} from '../errors.js'
import { problem, type Problem } from '../core/problem.js'

const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'])
const BAD_RESPONSE = new Set(['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_INFO', 'UND_ERR_RES_EXCEEDED_MAX_SIZE'])

export const UPSTREAM_TIMEOUT: Problem = problem(SIPUP_ERR_UPSTREAM_TIMEOUT,
  'The site took too long to answer. Please try again in a moment.', { title: 'Gateway timeout' })
export const UPSTREAM_UNAVAILABLE: Problem = problem(SIPUP_ERR_UPSTREAM_UNAVAILABLE,
  'The site could not be reached. Please try again in a moment.', { title: 'Bad gateway' })
export const UPSTREAM_BAD_RESPONSE: Problem = problem(SIPUP_ERR_UPSTREAM_BAD_RESPONSE,
  'The site sent an answer that could not be read. Please try again in a moment.', { title: 'Bad gateway' })
export const BODY_TOO_LARGE: Problem = problem(SIPUP_ERR_REQUEST_BODY_TOO_LARGE,
  'The request body is larger than this site accepts.', { title: 'Request too large' })

export function mapUpstreamError (err: Error & { code?: string }): Problem {
  const code = err.code ?? ''
  if (code === BODY_TOO_LARGE.code) return BODY_TOO_LARGE
  if (TIMEOUTS.has(code)) return UPSTREAM_TIMEOUT
  if (BAD_RESPONSE.has(code) || code.startsWith('HPE_')) return UPSTREAM_BAD_RESPONSE
  return UPSTREAM_UNAVAILABLE
}
