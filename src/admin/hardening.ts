// Hooks every admin route must pass, registered by src/admin/index.ts right after the auth hook. fastify-plugin
// only lifts them one level, into the admin scope (never onto the proxy path): security headers on every answer,
// the DNS-rebinding guard for loopback trust, and CSRF for Basic and loopback principals.
import fp from 'fastify-plugin'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { SIPUP_ERR_ADMIN_CSRF, SIPUP_ERR_ADMIN_HOST } from '../errors.js'
import { kAdminPrincipal } from '../symbols.js'
import { CSRF_HEADER, isLoopbackHost, type CsrfTokens } from './csrf.js'
import { ADMIN_SECURITY_HEADERS } from './security-headers.js'

function guardWith (csrf: CsrfTokens) {
  return function guard (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
    const principal = request[kAdminPrincipal]
    if (principal?.kind === 'loopback' && !isLoopbackHost(request.headers.host)) {
      done(new SIPUP_ERR_ADMIN_HOST(String(request.headers.host ?? '')))
      return
    }
    const problem = csrf.problem(request.method, principal, request.headers[CSRF_HEADER])
    if (problem !== null) {
      done(new SIPUP_ERR_ADMIN_CSRF(problem))
      return
    }
    done()
  }
}

function secureHeaders (_request: FastifyRequest, reply: FastifyReply, payload: unknown,
  done: (err: null, payload: unknown) => void): void {
  reply.headers(ADMIN_SECURITY_HEADERS)
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
  done(null, payload)
}

const adminHardening: FastifyPluginAsync<{ csrf: CsrfTokens }> = async (admin, { csrf }) => {
  admin.addHook('onRequest', guardWith(csrf))
  admin.addHook('onSend', secureHeaders)
}

export default fp(adminHardening, { name: 'sipup-admin-hardening', fastify: '5.x' })
