// The service container every process role builds the same way: the HTTP app (through the thin Fastify core
// plugin), a job worker and a CLI command. It owns what it creates (Redis, MySQL, the origin pool) and closes
// exactly that, last opened first.
import { randomBytes } from 'node:crypto'
import type { FastifyBaseLogger } from 'fastify'
import type { Pool } from 'undici'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import type { CoreConfig } from '../config/core-schema.js'
import { LocalLocks, RedisLocks, type FleetLocks } from './fleet-lock.js'
import { SharedMysql } from './mysql.js'
import { ClusterLink, type MetricsText } from './cluster-link.js'
import { FleetHeartbeat } from './fleet/fleet.js'
import type { Fleet } from './fleet/types.js'
import { createOriginPool } from './origin-pool.js'
import { SharedRedis } from './redis.js'
import { packageRoot } from '../paths.js'
import type { Container, FeatureReport, HealthCheck, HealthResult, NodeLink, ProcessRole } from './types.js'

const HEALTH_CHECK_TIMEOUT_MS = 2000
const ADMIN_SECRET_BYTES = 32
const VERSION = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version

export interface ContainerOptions {
  role: ProcessRole
  log: FastifyBaseLogger
}

export class SidecarContainer implements Container {
  readonly role: ProcessRole
  readonly config: CoreConfig
  readonly log: FastifyBaseLogger
  readonly redis: SharedRedis
  readonly mysql: SharedMysql
  readonly metrics = new Registry()
  readonly fleet: Fleet
  readonly #heartbeat: FleetHeartbeat
  readonly #features: FeatureReport[] = []
  readonly #checks = new Map<string, HealthCheck>()
  readonly #closers: (() => void | Promise<void>)[] = []
  #locks: FleetLocks | null = null
  #origin: Pool | null = null
  #adminSecret: Buffer | null = null
  #closed: Promise<void> | null = null
  #cluster: ClusterLink | null = null

  constructor (config: CoreConfig, opts: ContainerOptions) {
    this.role = opts.role
    this.config = config
    this.log = opts.log
    this.redis = new SharedRedis(config.redis, opts.log)
    this.mysql = new SharedMysql(config.mysql, opts.log, this.metrics)
    this.fleet = this.#heartbeat = new FleetHeartbeat({ config, redis: this.redis, log: opts.log, version: VERSION })
  }

  /** Connects what the role needs, each with a bounded wait; never throws for an unreachable service (it is
   * reported instead, and the feature falls back or stays off). */
  async start (): Promise<void> {
    const redis = this.redis
    await redis.connect()
    this.reportFeature(redis.client === null
      ? { name: 'redis', state: 'off', detail: 'redis.enabled is false: caches, limits and locks are per instance' }
      : redis.isReady()
        ? { name: 'redis', state: 'on', detail: 'shared caches, limits, purges and locks across instances' }
        : { name: 'redis', state: 'degraded', detail: `${redis.reason ?? 'unreachable'}: caches and limits are per instance until it answers` })
    if (redis.client !== null) {
      this.addHealthCheck('redis', () => redis.isReady() ? { ok: true } : { ok: false, reason: redis.reason ?? 'not connected' })
    }
    const mysql = this.mysql
    if (mysql.enabled) {
      await mysql.connect()
      this.reportFeature(mysql.isReady()
        ? { name: 'mysql', state: 'on', detail: `${mysql.url}: DB features can run` }
        : { name: 'mysql', state: 'degraded', detail: `${mysql.reason ?? 'unreachable'}: DB features wait until it answers` })
      this.addHealthCheck('mysql', () => mysql.check())
    } else {
      this.reportFeature({ name: 'mysql', state: 'off', detail: 'mysql.url is empty (set MYSQL_URL): DB features are off' })
    }
    if (this.role === 'proxy') {
      this.#adminSecret = await this.#resolveAdminSecret()
      const link = this.#cluster = ClusterLink.join(this.metrics)
      if (link !== null) this.addHealthCheck('workers', () => link.health())
      // Proxy processes only: they are the fleet an operator runs behind the load balancer.
      await this.#heartbeat.start()
    }
  }

  get node (): NodeLink | null {
    return this.#cluster
  }

  /** The metrics text to serve: this process's registry, or the whole node's when it is one of `server.workers`. */
  async metricsText (): Promise<MetricsText> {
    if (this.#cluster !== null) return await this.#cluster.metrics()
    return { contentType: this.metrics.contentType, body: await this.metrics.metrics() }
  }

  get locks (): FleetLocks {
    const client = this.redis.client
    this.#locks ??= client === null ? new LocalLocks() : new RedisLocks(client, this.redis.keyPrefix)
    return this.#locks
  }

  get origin (): Pool {
    this.#origin ??= createOriginPool(this.config.upstream)
    return this.#origin
  }

  get adminSecret (): Buffer {
    this.#adminSecret ??= randomBytes(ADMIN_SECRET_BYTES)
    return this.#adminSecret
  }

  /** Configured, else one secret per Redis (set once with NX, so every instance reads the same), else per process:
   * then a dashboard token works on this instance only, which is what one instance without Redis means. */
  async #resolveAdminSecret (): Promise<Buffer> {
    const configured = this.config.admin.secret
    if (configured !== '') return Buffer.from(configured, 'utf8')
    const client = this.redis.client
    if (client !== null && this.redis.isReady()) {
      const key = this.redis.key('admin', 'csrf-secret')
      try {
        await client.set(key, randomBytes(ADMIN_SECRET_BYTES).toString('base64'), 'NX')
        const shared = await client.get(key)
        if (shared !== null) return Buffer.from(shared, 'base64')
      } catch (err) {
        this.log.warn({ err: { message: (err as Error).message } }, 'admin: cannot read the shared CSRF secret from Redis; using one per process')
      }
    }
    return randomBytes(ADMIN_SECRET_BYTES)
  }

  reportFeature (report: FeatureReport): void {
    const i = this.#features.findIndex(f => f.name === report.name)
    if (i === -1) this.#features.push(report)
    else this.#features[i] = report
  }

  get features (): readonly FeatureReport[] {
    return this.#features
  }

  addHealthCheck (name: string, check: HealthCheck): void {
    this.#checks.set(name, check)
  }

  async runHealthChecks (): Promise<Record<string, HealthResult>> {
    const out: Record<string, HealthResult> = {}
    await Promise.all([...this.#checks].map(async ([name, check]) => {
      out[name] = await runCheck(check)
    }))
    return out
  }

  onClose (fn: () => void | Promise<void>): void {
    this.#closers.push(fn)
  }

  /** Runs the plugins' closers (last first), then closes the origin pool, Redis and MySQL. Idempotent. */
  close (): Promise<void> {
    this.#closed ??= (async () => {
      for (const fn of this.#closers.reverse()) {
        try {
          await fn()
        } catch (err) {
          this.log.error({ err: { message: (err as Error).message } }, 'a close hook failed')
        }
      }
      await this.#heartbeat.stop()
      await Promise.all([
        this.#origin?.close().catch(() => undefined),
        this.redis.close(),
        this.mysql.close()
      ])
    })()
    return this.#closed
  }
}

async function runCheck (check: HealthCheck): Promise<HealthResult> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      Promise.resolve().then(check),
      new Promise<HealthResult>(resolve => {
        timer = setTimeout(resolve, HEALTH_CHECK_TIMEOUT_MS, { ok: false, reason: `no answer within ${HEALTH_CHECK_TIMEOUT_MS} ms` })
      })
    ])
  } catch (err) {
    return { ok: false, reason: (err as Error).message }
  } finally {
    clearTimeout(timer)
  }
}

/** A started container, for CLI commands and workers. */
export async function createContainer (config: CoreConfig, opts: ContainerOptions): Promise<SidecarContainer> {
  const c = new SidecarContainer(config, opts)
  await c.start()
  return c
}
