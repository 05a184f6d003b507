// The one MySQL/MariaDB pool of the legacy database, owned by the core like Redis: created on first use (a sidecar
// without DB features never connects), tried once at start-up with a bounded wait, and closed by the core. The pool
// is small on purpose: the shop's own PHP has its connections; the sidecar's analysis must never starve it.
import { createPool, type Pool, type PoolOptions } from 'mysql2/promise'
import { Gauge, type Registry } from 'prom-client'
import type { FastifyBaseLogger } from 'fastify'
import { redactUrl } from '../config/redact.js'
import type { CoreConfig } from '../config/core-schema.js'
import type { HealthResult, MysqlHandle } from './types.js'

/** mysql2 keeps its pool state in these arrays; read defensively, they are not a public API. */
interface PoolInternals {
  _allConnections?: { length: number }
  _freeConnections?: { length: number }
  _connectionQueue?: { length: number }
}

export class SharedMysql implements MysqlHandle {
  readonly enabled: boolean
  readonly #config: CoreConfig['mysql']
  readonly #log: FastifyBaseLogger
  readonly #url: string
  readonly #registry: Registry
  #pool: Pool | null = null
  #reason: string | null
  #ready = false

  constructor (config: CoreConfig['mysql'], log: FastifyBaseLogger, registry: Registry) {
    this.#config = config
    this.#log = log
    this.#registry = registry
    this.enabled = config.url !== ''
    this.#url = this.enabled ? redactUrl(config.url) : ''
    this.#reason = this.enabled ? 'not connected yet' : 'mysql.url is empty (set MYSQL_URL)'
  }

  get reason (): string | null {
    return this.#reason
  }

  get url (): string {
    return this.#url
  }

  isReady (): boolean {
    return this.#ready
  }

  get pool (): Pool | null {
    if (!this.enabled) return null
    this.#pool ??= this.#create()
    return this.#pool
  }

  #create (): Pool {
    const c = this.#config
    const opts: PoolOptions = {
      uri: c.url,
      connectionLimit: c.poolSize,
      connectTimeout: c.connectTimeout,
      waitForConnections: true,
      // A caller waits for a free connection at most as long as a query may take, not forever.
      queueLimit: c.poolSize * 16,
      enableKeepAlive: true,
      multipleStatements: false,
      dateStrings: true
    }
    const pool = createPool(opts)
    const internals = (pool as unknown as { pool: PoolInternals }).pool
    // Registered once per pool: a second SharedMysql on the same registry (tests) keeps the first gauge.
    if (this.#registry.getSingleMetric('sipup_mysql_pool_connections') === undefined) {
      const gauge = new Gauge({
        name: 'sipup_mysql_pool_connections',
        help: 'Connections of the sidecar\'s MySQL pool by state (open, idle, waiting callers).',
        labelNames: ['state'],
        registers: [this.#registry],
        collect () {
          gauge.set({ state: 'open' }, internals._allConnections?.length ?? 0)
          gauge.set({ state: 'idle' }, internals._freeConnections?.length ?? 0)
          gauge.set({ state: 'waiting' }, internals._connectionQueue?.length ?? 0)
        }
      })
    }
    return pool
  }

  /** One round trip with the configured connect timeout; records why it failed. Never throws. */
  async check (): Promise<HealthResult> {
    const pool = this.pool
    if (pool === null) return { ok: false, reason: this.#reason ?? 'disabled' }
    try {
      await pool.query({ sql: 'SELECT 1', timeout: this.#config.connectTimeout })
      if (!this.#ready && this.#reason !== 'not connected yet') this.#log.info({ mysql: this.#url }, 'mysql: connected')
      this.#ready = true
      this.#reason = null
      return { ok: true }
    } catch (err) {
      const e = err as Error & { code?: string }
      if (this.#ready) this.#log.error({ mysql: this.#url, err: e.message }, 'mysql: connection lost')
      this.#ready = false
      this.#reason = `unreachable or refused at ${this.#url}: ${e.code ?? e.message}`
      return { ok: false, reason: this.#reason }
    }
  }

  async connect (): Promise<boolean> {
    return (await this.check()).ok
  }

  async close (): Promise<void> {
    const pool = this.#pool
    this.#pool = null
    this.#ready = false
    if (pool !== null) await pool.end().catch(() => undefined)
  }
}
