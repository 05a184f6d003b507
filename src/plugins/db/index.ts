// The DB advisor plugin: a pool (its own until the core hands one over), the engine, its admin routes, a health
// check and the scheduled statistics maintenance. Nothing on the proxy path.
import fp from 'fastify-plugin'
import type { FastifyPluginAsync } from 'fastify'
import { DbAdmin } from './db-admin.js'
import { localLock, redisLock } from './lock.js'
import { resolveDbOptions } from './options.js'
import { createDbPool } from './pool.js'
import { dbRoutes } from './routes.js'
import type { DbSection } from './schema.js'
import type { HealthResult } from '../../core/types.js'
import { formatDuration } from '../../config/units.js'

export interface DbPluginOptions {
  config: DbSection
}

const FEATURE = 'db'
const HEALTH_TTL_MS = 1000

const dbPlugin: FastifyPluginAsync<DbPluginOptions> = async (fastify, { config }) => {
  const sidecar = fastify.sidecar
  let options
  try {
    options = resolveDbOptions(config, sidecar.config.mysql)
  } catch (err) {
    sidecar.reportFeature({ name: FEATURE, state: 'off', detail: (err as Error).message })
    return
  }
  const pool = createDbPool(sidecar.config.mysql)
  const redis = sidecar.redis.client
  // TODO(issue 9): the core's fleet lock and MySQL handle replace these two.
  const lock = redis === null ? localLock() : redisLock(redis, sidecar.redis.key('db', 'lock', ''))
  const admin = new DbAdmin({ pool, registry: sidecar.metrics, logger: fastify.log, options, lock })
  const maintenance = admin.maintenance()

  let last: { at: number, result: Promise<HealthResult> } | null = null
  sidecar.addHealthCheck('mysql', () => {
    const now = Date.now()
    if (last !== null && now - last.at < HEALTH_TTL_MS) return last.result
    const result = admin.client.rows('SELECT 1 AS ok', [], 'check the database').then(
      () => ({ ok: true }), (err: Error) => ({ ok: false, reason: err.message }))
    last = { at: now, result }
    return result
  })

  const ping = await admin.client.info().then(i => i.version, (err: Error) => err)
  if (ping instanceof Error) {
    sidecar.reportFeature({ name: FEATURE, state: 'degraded', detail: `${ping.message}: the DB panel answers 503 until it is back` })
  } else {
    const upkeep = options.maintenance.enabled ? `; ANALYZE TABLE every ${formatDuration(options.maintenance.intervalMs)}` : ''
    sidecar.reportFeature({ name: FEATURE, state: 'on', detail: `advising on ${options.schemas.join(', ')} (${ping})${upkeep}` })
  }

  sidecar.addAdminRoutes(dbRoutes(admin))

  if (options.maintenance.enabled) fastify.addHook('onReady', async () => { maintenance.start() })
  fastify.addHook('onClose', async () => {
    await maintenance.stop()
    await pool.end().catch(() => undefined)
  })
}

export default fp(dbPlugin, { name: 'sipup-db', fastify: '5.x', dependencies: ['sipup-core'] })
