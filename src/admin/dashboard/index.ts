// The /_admin dashboard: an HTML page, its assets, and the JSON/SSE it reads. Encapsulated (not fastify-plugin
// wrapped) and registered inside the admin scope, so the admin auth, CSRF and security-header hooks apply.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { HealthResult } from '../../core/types.js'
import { redact } from '../../config/redact.js'
import { SIPUP_ERR_ADMIN_NOT_FOUND, SIPUP_ERR_ADMIN_TOO_MANY_STREAMS } from '../../errors.js'
import { problem, sendProblem } from '../../core/problem.js'
import { packageRoot } from '../../paths.js'
import { kAdminPrincipal } from '../../symbols.js'
import type { LiveMetrics } from '../../plugins/metrics/types.js'
import type { OriginGuardStatus } from '../../proxy/origin-guard/origin-guard.js'
import type { CsrfTokens } from '../csrf.js'
import { loadAssets } from './assets.js'
import { LiveHub } from './live-stream.js'
import { buildOverview, cacheRuleKinds } from './overview.js'
import { renderPage } from './page.js'
import { panels } from './panels.js'
import { certificateViews } from './certificate-view.js'
import { tlsStateOf } from '../../core/tls/secure-server.js'
import { certificateExpiry } from '../../core/tls/expiry.js'

/** Open dashboards (SSE streams) at once. */
export const MAX_STREAMS = 32
/** Health checks may touch the origin and Redis: run them at most this often however many tabs poll. */
const HEALTH_TTL_MS = 2000

const METRICS_OFF = 'metrics are off (metrics.enabled: false)'

function notFound (reply: FastifyReply, detail: string): FastifyReply {
  return sendProblem(reply, problem(SIPUP_ERR_ADMIN_NOT_FOUND, detail), { json: true })
}

const VERSION = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version

const dashboard: FastifyPluginAsync<{ csrf: CsrfTokens, originGuard: (() => Promise<OriginGuardStatus>) | null }> = async (admin, { csrf, originGuard }) => {
  const prefix = admin.sidecar.config.admin.prefix
  const assets = await loadAssets()
  const live: LiveMetrics | null = admin.hasDecorator('sidecarMetrics') ? admin.sidecarMetrics : null
  const hub = live === null ? null : new LiveHub(live.node, MAX_STREAMS)
  let health: { at: number, value: Promise<Record<string, HealthResult>> } | null = null
  const ruleKinds = cacheRuleKinds(admin.sidecar.config)

  const principalToken = (request: FastifyRequest): string => {
    const principal = request[kAdminPrincipal]
    // Public paths carry no principal; the page is not one of them, so this is only a type guard.
    return principal === undefined ? '' : csrf.tokenFor(principal)
  }

  admin.get('/', async (request, reply) => {
    reply.type('text/html; charset=utf-8')
    const historySeconds = live?.node.seconds ?? 900
    return renderPage({ prefix, csrfToken: principalToken(request), version: VERSION, historySeconds })
  })

  admin.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const asset = assets.get(request.params.file)
    if (asset === undefined) return notFound(reply, `no asset '${request.params.file}'`)
    reply.header('etag', asset.etag).header('cache-control', 'no-cache').type(asset.type)
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send()
    return asset.body
  })

  admin.get('/api/panels', async () => panels(admin, prefix))

  admin.get('/api/config', async () => redact(admin.sidecar.config))

  admin.get('/api/fleet', async () => await admin.sidecar.fleet.view())

  // Read at each refresh from the material in use, so a SIGHUP reload shows at once (like the metric).
  const tlsState = tlsStateOf(admin.server)
  const expiryWarning = admin.sidecar.config.server.tls.expiryWarning
  const certificates = (now: number): ReturnType<typeof certificateViews> | null =>
    tlsState === null ? null : certificateViews(certificateExpiry(tlsState.material, expiryWarning, now), now)

  admin.get('/api/overview', async () => {
    const now = Date.now()
    if (health === null || now - health.at > HEALTH_TTL_MS) health = { at: now, value: admin.sidecar.runHealthChecks() }
    const summaries = live === null ? null : await live.node.routes()
    return buildOverview(summaries, await health.value, admin.sidecar.features, panels(admin, prefix), now, ruleKinds, await originGuard?.() ?? null, certificates(now))
  })

  admin.get<{ Querystring: { since?: string } }>('/api/series', async (request, reply) => {
    if (live === null) return notFound(reply, METRICS_OFF)
    const since = Number(request.query.since ?? '')
    const from = Number.isFinite(since) && request.query.since !== '' ? since : undefined
    return { seconds: live.node.seconds, series: await live.node.series(from) }
  })

  admin.get<{ Querystring: { since?: string } }>('/api/live', async (request, reply) => {
    if (hub === null) return notFound(reply, METRICS_OFF)
    if (hub.full) throw new SIPUP_ERR_ADMIN_TOO_MANY_STREAMS(MAX_STREAMS)
    const since = Number(request.query.since)
    hub.open(reply, Number.isFinite(since) ? since : -Infinity)
    return reply
  })

  admin.addHook('preClose', async () => { hub?.closeAll() })
}

export default dashboard
