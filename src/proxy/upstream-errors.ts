// Maps undici's error codes to what the client gets. Branch on err.code, never instanceof across packages.
export interface MappedError {
  status: number
  code: string
}

const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'])
const BAD_RESPONSE = new Set(['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_INFO', 'UND_ERR_RES_EXCEEDED_MAX_SIZE'])

export const UPSTREAM_TIMEOUT: MappedError = { status: 504, code: 'SIPUP_ERR_UPSTREAM_TIMEOUT' }
export const UPSTREAM_UNAVAILABLE: MappedError = { status: 502, code: 'SIPUP_ERR_UPSTREAM_UNAVAILABLE' }
export const UPSTREAM_BAD_RESPONSE: MappedError = { status: 502, code: 'SIPUP_ERR_UPSTREAM_BAD_RESPONSE' }
export const BODY_TOO_LARGE: MappedError = { status: 413, code: 'SIPUP_ERR_REQUEST_BODY_TOO_LARGE' }

export function mapUpstreamError (err: Error & { code?: string }): MappedError {
  const code = err.code ?? ''
  if (code === 'SIPUP_ERR_REQUEST_BODY_TOO_LARGE') return BODY_TOO_LARGE
  if (TIMEOUTS.has(code)) return UPSTREAM_TIMEOUT
  if (BAD_RESPONSE.has(code) || code.startsWith('HPE_')) return UPSTREAM_BAD_RESPONSE
  return UPSTREAM_UNAVAILABLE
}
