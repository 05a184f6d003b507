// The admin scope, mounted under admin.prefix. Deliberately NOT fastify-plugin-wrapped: its auth hook, error
// handler and 404 stay inside the prefix and never run on the proxy path.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { CoreConfig } from '../config/core-schema.js'
import { SIPUP_ERR_ADMIN_NOT_FOUND } from '../errors.js'
import { answerErrorsAsProblems, answerUnknownPaths } from '../core/scope-guards.js'
import { problemFromError, sendProblem } from '../core/problem.js'
import { kAdminPrincipal } from '../symbols.js'
import { SIPUPWRN001 } from '../warnings.js'
import { AdminAuth, type AdminPrincipal } from './auth.js'
import { CsrfTokens } from './csrf.js'
import adminHardening from './hardening.js'
import dashboard from './dashboard/index.js'
import type { OriginGuardStatus } from '../proxy/origin-guard/origin-guard.js'

/** Probes for load balancers and orchestrators: answered without credentials, revealing no config. */
const PUBLIC_PATHS = new Set(['/health', '/ready'])

export interface AdminPluginOptions {
  config: CoreConfig
  /** The plugins' admin routes (src/core/sidecar.ts takeAdminRoutes). */
  routes: readonly FastifyPluginAsync[]
  /** Origin protection's live status, or null while `upstream.maxConcurrent` is 0. */
  originGuard?: (() => Promise<OriginGuardStatus>) | null
}

declare module 'fastify' {
  interface FastifyRequest {
    [kAdminPrincipal]?: AdminPrincipal
  }
}

const adminPlugin: FastifyPluginAsync<AdminPluginOptions> = async (admin, { config, routes, originGuard }) => {
  const auth = new AdminAuth(config.admin)
  const csrf = new CsrfTokens(admin.sidecar.adminSecret)
  const prefix = config.admin.prefix
  if (!auth.hasCredentials) SIPUPWRN001()

  admin.addHook('onRequest', async (request: FastifyRequest, reply) => {
    const path = request.url.slice(prefix.length).split('?')[0]
    if (PUBLIC_PATHS.has(path)) return
    try {
      request[kAdminPrincipal] = await auth.authenticate(request)
    } catch (err) {
      const e = err as Error & { statusCode?: number }
      if (e.statusCode === 401) reply.header('www-authenticate', auth.challenge)
      return sendProblem(reply, problemFromError(e), { json: true })
    }
  })

  // Security headers, CSRF and the DNS-rebinding guard (src/admin/hardening.ts): after auth, before any route.
  await admin.register(adminHardening, { csrf })
  answerErrorsAsProblems(admin, 'admin', { operatorDetail: true })

  admin.get('/health', async () => ({ status: 'ok' }))

  admin.get('/ready', async (_request, reply) => {
    const checks = await admin.sidecar.runHealthChecks()
    const ready = checks.upstream?.ok !== false
    return reply.code(ready ? 200 : 503).send({ ready, checks })
  })

  admin.get('/api/features', async () => ({
    features: admin.sidecar.features,
    routeGroups: admin.sidecar.routeGroups.map(g => ({ name: g.name, prefix: g.prefix })),
    health: await admin.sidecar.runHealthChecks()
  }))

  for (const r of routes) await admin.register(r)
  await admin.register(dashboard, { csrf, originGuard: originGuard ?? null })

  // Unknown admin paths answer 404 here instead of falling through to the origin.
  answerUnknownPaths(admin, prefix, SIPUP_ERR_ADMIN_NOT_FOUND)
}

export default adminPlugin
