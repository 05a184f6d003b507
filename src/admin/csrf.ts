// CSRF protection for the dashboard's state-changing calls. A browser sends Basic credentials and loopback
// "credentials" (its address) on any cross-site form or fetch, so those requests must also carry a token only the
// dashboard page can know: an HMAC of the principal under the admin secret (`sidecar.adminSecret`: configured, or
// shared through Redis, so a token from one instance works on every instance behind the same load balancer),
// embedded in the page and sent back as the X-CSRF-Token header. A bearer token is never sent by a browser on its
// own, so token calls need no CSRF token. A custom header also forces a CORS preflight, which the admin never grants.
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { AdminPrincipal } from './auth.js'

export const CSRF_HEADER = 'x-csrf-token'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

function identity (principal: AdminPrincipal): string {
  return principal.kind === 'basic' ? `basic\u0000${principal.user}` : principal.kind
}

export class CsrfTokens {
  readonly #secret: Buffer

  constructor (secret: Buffer) {
    this.#secret = secret
  }

  tokenFor (principal: AdminPrincipal): string {
    return createHmac('sha256', this.#secret).update(identity(principal)).digest('base64url')
  }

  /** Returns why the request must be refused, or null when it may go on. */
  problem (method: string, principal: AdminPrincipal | undefined, header: string | string[] | undefined): string | null {
    if (SAFE_METHODS.has(method) || principal === undefined || principal.kind === 'token') return null
    if (typeof header !== 'string' || header === '') return 'missing CSRF token'
    const expected = Buffer.from(this.tokenFor(principal))
    const got = Buffer.from(header)
    return got.length === expected.length && timingSafeEqual(got, expected) ? null : 'invalid CSRF token'
  }
}

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\]|\[::ffff:127(?:\.\d{1,3}){3}\])(?::\d+)?$/i

/**
 * With loopback trust, a DNS-rebinding page (evil.example resolving to 127.0.0.1) would be "same origin" and could
 * read the dashboard, token included. A loopback client that names a non-loopback host is refused.
 */
export function isLoopbackHost (host: string | undefined): boolean {
  return host !== undefined && LOOPBACK_HOST.test(host)
}
