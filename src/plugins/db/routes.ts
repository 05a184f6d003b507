// The DB panel's admin API (paths under the admin prefix, behind admin auth and the dashboard's CSRF rule).
// GET /api/db/suggestions and POST /api/db/suggestions/apply are the contract of src/admin/dashboard/panels.ts.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { SIPUP_ERR_DB_BAD_REQUEST } from '../../errors.js'
import { parseDuration } from '../../config/units.js'
import { kAdminPrincipal } from '../../symbols.js'
import type { AdminPrincipal } from '../../admin/auth.js'
import type { DbAdmin } from './db-admin.js'
import { SOURCE_NAMES, type SourceName } from './schema.js'

/** Longest processlist window the API accepts: an HTTP request should not hang for minutes. */
export const MAX_API_WINDOW_MS = 120_000

export function actorOf (request: FastifyRequest): string {
  const p = (request as FastifyRequest & { [kAdminPrincipal]?: AdminPrincipal })[kAdminPrincipal]
  const who = p === undefined ? 'unknown' : p.kind === 'basic' ? p.user : p.kind
  return `admin:${who}@${request.ip}`
}

interface AnalyzeBody { sources?: string[], window?: string }
interface ApplyBody { id: string, allowLarge?: boolean, dryRun?: boolean }
interface UndoBody { id: number }

export function dbRoutes (admin: DbAdmin): FastifyPluginAsync {
  return async app => {
    app.get('/api/db/suggestions', async () => {
      const [a, changes] = await Promise.all([admin.latest(), admin.changes()])
      // A suggestion already applied (and not undone) says by which change, so the panel offers no second apply.
      const applied = new Map(changes.filter(c => c.status === 'applied').map(c => [c.suggestionId, c.id]))
      return {
        analysis: a === null
          ? null
          : { id: a.id, createdAt: a.createdAt, createdBy: a.createdBy, server: a.server, sources: a.sources, indexUsage: a.indexUsage, served: a.served, skipped: a.skipped, shapes: a.shapes.length },
        suggestions: (a?.suggestions ?? []).map(x => ({ ...x, appliedChange: applied.get(x.id) ?? null }))
      }
    })

    app.post<{ Body: AnalyzeBody }>('/api/db/analyze', {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { sources: { type: 'array', items: { type: 'string', enum: [...SOURCE_NAMES] } }, window: { type: 'string' } }
        }
      }
    }, async request => {
      const body = request.body ?? {}
      let windowMs: number | undefined
      if (body.window !== undefined) {
        windowMs = parseDuration(body.window)
        if (windowMs === undefined || windowMs > MAX_API_WINDOW_MS) throw new SIPUP_ERR_DB_BAD_REQUEST(`window: expected a duration up to 120s, got '${body.window}'`)
      }
      const analysis = await admin.analyze({ sources: body.sources as SourceName[] | undefined, windowMs: windowMs ?? Math.min(admin.options.processlistWindowMs, MAX_API_WINDOW_MS), actor: actorOf(request) })
      return { analysis: { id: analysis.id, createdAt: analysis.createdAt, sources: analysis.sources, skipped: analysis.skipped }, suggestions: analysis.suggestions }
    })

    app.post<{ Body: ApplyBody }>('/api/db/suggestions/apply', {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['id'],
          properties: { id: { type: 'string', minLength: 1, maxLength: 32 }, allowLarge: { type: 'boolean' }, dryRun: { type: 'boolean' } }
        }
      }
    }, async request => {
      const { id, allowLarge = false, dryRun = false } = request.body
      return admin.apply(id, { actor: actorOf(request), allowLarge, dryRun })
    })

    app.get('/api/db/changes', async () => ({ changes: await admin.changes() }))

    app.post<{ Body: UndoBody }>('/api/db/changes/undo', {
      schema: {
        body: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } }
      }
    }, async request => ({ change: await admin.undo(request.body.id, actorOf(request)) }))

    app.get('/api/db/report', async () => admin.report())
  }
}
