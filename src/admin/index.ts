// The admin scope, mounted under admin.prefix. Deliberately NOT fastify-plugin-wrapped: its auth hook, error
// handler and 404 stay inside the prefix and never run on the proxy path.
import type { FastifyError, FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { FrozenConfig } from '../config/schema.js'
import { kAdminPrincipal } from '../symbols.js'
import { SIPUPWRN001 } from '../warnings.js'
import { AdminAuth, sendAuthError, type AdminPrincipal } from './auth.js'
import adminHardening from './hardening.js'
import dashboard from './dashboard/index.js'

/** Probes for load balancers and orchestrators: answered without credentials, revealing no config. */
const PUBLIC_PATHS = new Set(['/health', '/ready'])

export interface AdminPluginOptions {
  config: FrozenConfig
}

declare module 'fastify' {
  interface FastifyRequest {
    [kAdminPrincipal]?: AdminPrincipal
  }
}

const adminPlugin: FastifyPluginAsync<AdminPluginOptions> = async (admin, { config }) => {
  const auth = new AdminAuth(config.admin)
  const prefixLength = config.admin.prefix.length
  if (!auth.hasCredentials) SIPUPWRN001()

  admin.addHook('onRequest', async (request: FastifyRequest, reply) => {
    const path = request.url.slice(prefixLength).split('?')[0]
    if (PUBLIC_PATHS.has(path)) return
    try {
      request[kAdminPrincipal] = await auth.authenticate(request)
    } catch (err) {
      return sendAuthError(reply, err as Error, auth.challenge)
    }
  })

  // Security headers, CSRF and the DNS-rebinding guard (src/admin/hardening.ts): after auth, before any route.
  await admin.register(adminHardening)

  admin.setErrorHandler((err: FastifyError, request, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 ? err.statusCode : 500
    if (status >= 500) request.log.error({ err }, 'admin request failed')
    // Client errors say what was wrong; server errors say nothing about internals.
    reply.code(status).send({
      statusCode: status,
      code: err.code ?? 'SIPUP_ERR_ADMIN',
      error: status >= 500 ? 'Internal error' : err.message
    })
  })

  admin.get('/health', async () => ({ status: 'ok' }))

  admin.get('/ready', async (_request, reply) => {
    const checks = await admin.sidecar.runHealthChecks()
    const ready = checks.upstream?.ok !== false
    return reply.code(ready ? 200 : 503).send({ ready, checks })
  })

  admin.get('/api/features', async () => ({
    features: admin.sidecar.features,
    health: await admin.sidecar.runHealthChecks()
  }))

  for (const routes of admin.sidecar.adminRoutes) await admin.register(routes)
  await admin.register(dashboard)

  // Unknown admin paths answer 404 here instead of falling through to the origin.
  admin.all('/*', async (request, reply) => reply.code(404).send({
    statusCode: 404, code: 'SIPUP_ERR_ADMIN_NOT_FOUND', error: `no admin route ${request.method} ${request.url.split('?')[0]}`
  }))
}

export default adminPlugin
