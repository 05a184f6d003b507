// The DB advisor plugin: the engine on the core's MySQL pool, its admin routes and the scheduled statistics
// maintenance under the fleet lock (one instance runs it). Nothing on the proxy path. The core owns the pool and
// its `mysql` health check.
import fp from 'fastify-plugin'
import type { FastifyPluginAsync } from 'fastify'
import { DbAdmin } from './db-admin.js'
import { resolveDbOptions } from './options.js'
import { dbRoutes } from './routes.js'
import type { DbSection } from './schema.js'
import { formatDuration } from '../../config/units.js'

export interface DbPluginOptions {
  config: DbSection
}

const FEATURE = 'db'

const dbPlugin: FastifyPluginAsync<DbPluginOptions> = async (fastify, { config }) => {
  const sidecar = fastify.sidecar
  let options
  try {
    options = resolveDbOptions(config, sidecar.config.mysql)
  } catch (err) {
    sidecar.reportFeature({ name: FEATURE, state: 'off', detail: (err as Error).message })
    return
  }
  const pool = sidecar.mysql.pool
  if (pool === null) {
    sidecar.reportFeature({ name: FEATURE, state: 'off', detail: 'mysql.url is empty (set MYSQL_URL)' })
    return
  }
  const locks = sidecar.locks
  const admin = new DbAdmin({ pool, registry: sidecar.metrics, logger: fastify.log, options, lock: (name, ttlMs) => locks.acquire(name, ttlMs) })
  const maintenance = admin.maintenance()

  const ping = await admin.client.info().then(i => i.version, (err: Error) => err)
  if (ping instanceof Error) {
    sidecar.reportFeature({ name: FEATURE, state: 'degraded', detail: `${ping.message}: the DB panel answers 503 until it is back` })
  } else {
    const upkeep = options.maintenance.enabled ? `; ANALYZE TABLE every ${formatDuration(options.maintenance.intervalMs)}` : ''
    sidecar.reportFeature({ name: FEATURE, state: 'on', detail: `advising on ${options.schemas.join(', ')} (${ping})${upkeep}` })
  }

  sidecar.addAdminRoutes(dbRoutes(admin))

  if (options.maintenance.enabled) fastify.addHook('onReady', async () => { maintenance.start() })
  fastify.addHook('onClose', async () => { await maintenance.stop() })
}

export default fp(dbPlugin, { name: 'sipup-db', fastify: '5.x', dependencies: ['sipup-core'] })
