// The bans admin API (under the admin prefix, behind admin auth and the dashboard's CSRF rule):
// GET /api/rate-limit/bans and DELETE /api/rate-limit/bans/:ip are the contract of src/admin/dashboard/panels.ts.
import type { FastifyPluginAsync } from 'fastify'
import { SIPUP_ERR_RATELIMIT_BAN_NOT_FOUND } from '../../errors.js'
import type { BanAdmin } from './ban-admin.js'

export interface BanRoutesInfo {
  /** Where bans are kept: `redis` (shared) or `memory` (per instance). */
  store: 'redis' | 'memory'
  enabled: boolean
  exempt: readonly string[]
}

export function banRoutes (bans: BanAdmin, info: BanRoutesInfo): FastifyPluginAsync {
  return async function rateLimitBanRoutes (admin) {
    admin.get('/api/rate-limit/bans', async () => ({ ...info, ...await bans.list() }))

    admin.delete<{ Params: { ip: string } }>('/api/rate-limit/bans/:ip', async request => {
      const r = await bans.lift(request.params.ip)
      if (!r.lifted) throw new SIPUP_ERR_RATELIMIT_BAN_NOT_FOUND(r.client)
      request.log.info({ client: r.client }, 'rate-limit: ban lifted from the admin API')
      return r
    })
  }
}
