// Which optional panels have a provider. A capability lights its panel up by registering the admin routes below
// (through fastify.sidecar.addAdminRoutes); the dashboard never imports the capability itself.
import type { FastifyInstance, HTTPMethods } from 'fastify'

export interface PanelInfo {
  available: boolean
  /** Admin API paths the panel calls (full paths, prefix included). */
  api: Record<string, string>
}

export interface Panels {
  metrics: PanelInfo
  cache: PanelInfo
  jobs: PanelInfo
  db: PanelInfo
  bans: PanelInfo
  /** Always there (a core feature): every instance on the same Redis, or this one alone without it. */
  fleet: PanelInfo
}

/** The admin API contract each optional panel relies on (paths under the admin prefix). */
export const PANEL_ROUTES = {
  cache: { purge: ['POST', '/api/cache/purge'] },
  // `:ip` in unban is replaced by the (URL-encoded) client of the listed ban.
  bans: { list: ['GET', '/api/rate-limit/bans'], unban: ['DELETE', '/api/rate-limit/bans/:ip'] },
  jobs: {
    failed: ['GET', '/api/jobs/failed'], retry: ['POST', '/api/jobs/retry'], delete: ['POST', '/api/jobs/delete']
  },
  db: {
    suggestions: ['GET', '/api/db/suggestions'],
    apply: ['POST', '/api/db/suggestions/apply'],
    analyze: ['POST', '/api/db/analyze'],
    changes: ['GET', '/api/db/changes'],
    undo: ['POST', '/api/db/changes/undo']
  }
} as const satisfies Record<string, Record<string, readonly [HTTPMethods, string]>>

function panel (fastify: FastifyInstance, prefix: string,
  routes: Record<string, readonly [HTTPMethods, string]>): PanelInfo {
  const api: Record<string, string> = {}
  let available = true
  for (const [name, [method, path]] of Object.entries(routes)) {
    api[name] = prefix + path
    // The first route is the one that defines the panel; the others are its actions (they may come later).
    if (Object.keys(api).length === 1) available = fastify.hasRoute({ method, url: prefix + path })
  }
  return { available, api }
}

export function panels (fastify: FastifyInstance, prefix: string): Panels {
  return {
    metrics: {
      available: fastify.hasDecorator('sidecarMetrics') && fastify.sidecarMetrics !== null,
      api: { series: `${prefix}/api/series`, live: `${prefix}/api/live`, prometheus: `${prefix}/metrics` }
    },
    cache: panel(fastify, prefix, PANEL_ROUTES.cache),
    jobs: panel(fastify, prefix, PANEL_ROUTES.jobs),
    db: panel(fastify, prefix, PANEL_ROUTES.db),
    bans: panel(fastify, prefix, PANEL_ROUTES.bans),
    fleet: { available: true, api: { list: `${prefix}/api/fleet` } }
  }
}
