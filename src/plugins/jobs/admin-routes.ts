// The admin API the dashboard's failed-jobs panel calls (src/admin/dashboard/panels.ts PANEL_ROUTES.jobs), mounted
// under the admin prefix behind admin auth and CSRF by fastify.sidecar.addAdminRoutes.
//   GET  /api/jobs/failed?limit=&offset=   newest failures first: {total, jobs: [{id, queue, name, error, ...}]}
//   POST /api/jobs/retry   {ids: [...]} | {all: true}   -> {retried, ids}
//   POST /api/jobs/delete  {ids: [...]} | {all: true}   -> {deleted}
//   GET  /api/jobs/stats   queue counts, dead-letter size, live workers
import type { FastifyPluginAsync } from 'fastify'
import { SIPUP_ERR_JOBS_ADMIN_INVALID } from '../../errors.js'
import { MAX_PAGE } from './job-store.js'
import type { JobsService } from './service.js'

interface Selection { ids?: unknown, all?: unknown }

function selection (body: unknown): { ids: string[] } | { all: true } {
  const b = (body ?? {}) as Selection
  if (b.all === true) return { all: true }
  if (Array.isArray(b.ids) && b.ids.length > 0 && b.ids.length <= MAX_PAGE && b.ids.every(id => typeof id === 'string' && id.length <= 32)) {
    return { ids: b.ids as string[] }
  }
  throw new SIPUP_ERR_JOBS_ADMIN_INVALID(`send {"ids": ["<job id>", ...]} (1 to ${MAX_PAGE}) or {"all": true}`)
}

function intParam (v: string | undefined, def: number, max: number): number {
  if (v === undefined || v === '') return def
  if (!/^\d+$/.test(v)) throw new SIPUP_ERR_JOBS_ADMIN_INVALID(`expected a whole number, got '${v.slice(0, 20)}'`)
  return Math.min(max, Number(v))
}

export function jobsAdminRoutes (service: JobsService, now: () => number = Date.now): FastifyPluginAsync {
  const store = service.store
  return async function jobsAdmin (admin) {
    admin.get<{ Querystring: { limit?: string, offset?: string } }>('/api/jobs/failed', async request =>
      await store.listFailed(intParam(request.query.limit, 100, MAX_PAGE), intParam(request.query.offset, 0, 1_000_000)))

    admin.post('/api/jobs/retry', async request => {
      const sel = selection(request.body)
      const ids = 'all' in sel ? await store.retryAll() : await store.retry(sel.ids)
      return { retried: ids.length, ids }
    })

    admin.post('/api/jobs/delete', async request => {
      const sel = selection(request.body)
      const deleted = 'all' in sel ? await store.removeAllFailed() : await store.remove(sel.ids)
      return { deleted }
    })

    admin.get('/api/jobs/stats', async () => await store.stats(now(), service.params.section.workerTtl))
  }
}
