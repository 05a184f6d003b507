// The one shared Redis connection. Start-up tries it once with a bounded wait; after that ioredis reconnects in the
// background. No offline queue: while Redis is down every command rejects at once, so no request waits on it.
import { Cluster, Redis } from 'ioredis'
import type { FastifyBaseLogger } from 'fastify'
import type { CoreConfig } from '../config/core-schema.js'
import type { RedisClient, RedisHandle } from './types.js'
import { boundCommands } from './redis-timeout.js'
import { redisTopology, type RedisTopology } from './redis-topology.js'

/** The credentials and database of `redis.url`, for a Sentinel connection (the sentinels name the host). */
function sentinelAuth (url: string): { username?: string, password?: string, db?: number } {
  const u = new URL(url)
  const out: { username?: string, password?: string, db?: number } = {}
  if (u.username !== '') out.username = decodeURIComponent(u.username)
  if (u.password !== '') out.password = decodeURIComponent(u.password)
  const db = Number(u.pathname.slice(1))
  if (u.pathname.length > 1 && Number.isInteger(db)) out.db = db
  return out
}

const retryStrategy = (times: number): number => Math.min(200 * times, 2000)

function createClient (config: CoreConfig['redis'], topology: RedisTopology): RedisClient {
  const options = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: config.connectTimeout,
    // Bounded by boundCommands instead, which doesn't mistake this process's own stalls for a slow Redis.
    commandTimeout: undefined
  }
  if (topology.kind === 'standalone') return new Redis(config.url, { ...options, retryStrategy })
  if (topology.kind === 'sentinel') {
    return new Redis({ ...options, retryStrategy, ...sentinelAuth(config.url), sentinels: [...config.sentinels], name: config.name })
  }
  return new Cluster(topology.nodes, {
    lazyConnect: true,
    enableOfflineQueue: false,
    clusterRetryStrategy: retryStrategy,
    slotsRefreshTimeout: config.connectTimeout,
    // A command that meets a failover (CLUSTERDOWN, a dead node) fails at once instead of waiting for the new
    // slot map: the feature degrades for that request, and the next one finds the promoted replica.
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    redisOptions: {
      connectTimeout: config.connectTimeout,
      maxRetriesPerRequest: 1,
      commandTimeout: undefined,
      ...topology.auth,
      ...(topology.tls ? { tls: {} } : {})
    }
  })
}

export class SharedRedis implements RedisHandle {
  readonly client: RedisClient | null
  readonly topology: RedisTopology
  readonly keyPrefix: string
  #reason: string | null
  readonly #log: FastifyBaseLogger
  readonly #url: string
  readonly #duplicates: RedisClient[] = []
  #commandTimeout = 0
  #connectTimeout = 0
  #wasReady = false
  #outageLogged = false

  constructor (config: CoreConfig['redis'], log: FastifyBaseLogger) {
    this.topology = redisTopology(config)
    this.keyPrefix = this.topology.keyPrefix
    this.#log = log
    this.#url = this.topology.describe
    if (!config.enabled) {
      this.client = null
      this.#reason = 'redis.enabled is false'
      return
    }
    this.#reason = 'not connected yet'
    this.client = createClient(config, this.topology)
    this.#commandTimeout = config.commandTimeout
    // Through Sentinel there are two connections to make (a sentinel, then the master it names).
    if (this.topology.kind === 'sentinel') this.#connectTimeout = config.connectTimeout * 2 + 100
    boundCommands(this.client, config.commandTimeout)
    this.client.on('ready', () => {
      if (this.#outageLogged || !this.#wasReady) this.#log.info({ redis: this.#url }, 'redis: connected')
      this.#wasReady = true
      this.#outageLogged = false
      this.#reason = null
    })
    // One log line per outage, not one per reconnect attempt or per failed command.
    const onError = (err: Error & { code?: string }): void => {
      this.#reason = `unreachable at ${this.#url}: ${err.code ?? err.message}`
      if (!this.#outageLogged && this.#wasReady) {
        this.#outageLogged = true
        this.#log.error({ redis: this.#url, err: err.message }, 'redis: connection lost; features fall back to memory until it is back')
      }
    }
    this.client.on('error', onError)
    // A Cluster reports a lost node here and stays 'ready' while the other masters answer.
    if (this.topology.kind === 'cluster') this.client.on('node error', onError)
    this.client.on('close', () => {
      if (this.#reason === null) this.#reason = `connection to ${this.#url} closed`
    })
  }

  get reason (): string | null {
    return this.#reason
  }

  isReady (): boolean {
    return this.client !== null && this.client.status === 'ready'
  }

  key (...parts: string[]): string {
    return this.keyPrefix + parts.join(':')
  }

  /** Waits at most connectTimeout for the first connection; never throws. */
  async connect (): Promise<boolean> {
    const client = this.client
    if (client === null) return false
    // ioredis' own connectTimeout bounds one socket, not the attempt: with every sentinel unreachable, connect()
    // keeps trying the list and never settles, which held start-up past Fastify's plugin timeout.
    // A standalone or Cluster connect() settles on its own (refused, or its connectTimeout).
    const attempt = client.connect()
    attempt.catch(() => { /* a late failure after the deadline answered is reported through 'error' */ })
    let timer: NodeJS.Timeout | undefined
    const settles = this.#connectTimeout === 0
      ? [attempt]
      : [attempt, new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => { reject(Object.assign(new Error(`no connection within ${this.#connectTimeout} ms`), { code: 'ETIMEDOUT' })) }, this.#connectTimeout)
        })]
    try {
      await Promise.race(settles)
      return true
    } catch (err) {
      const e = err as Error & { code?: string }
      // The 'error' event usually came first with the useful cause (ECONNREFUSED); connect() only says "closed".
      if (this.#reason === 'not connected yet') this.#reason = `unreachable at ${this.#url}: ${e.code ?? e.message}`
      this.#outageLogged = true
      return false
    } finally {
      clearTimeout(timer)
    }
  }

  duplicate (): RedisClient | null {
    if (this.client === null) return null
    const dup: RedisClient = this.client instanceof Cluster
      ? this.client.duplicate(undefined, { lazyConnect: false, enableOfflineQueue: true, redisOptions: { ...this.client.options.redisOptions, maxRetriesPerRequest: null } })
      : this.client.duplicate({ lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: null })
    dup.on('error', () => { /* the shared client logs the outage once */ })
    boundCommands(dup, this.#commandTimeout)
    this.#duplicates.push(dup)
    return dup
  }

  async close (): Promise<void> {
    const all = this.client === null ? this.#duplicates : [this.client, ...this.#duplicates]
    await Promise.all(all.map(async c => {
      try {
        if (c.status === 'ready') await c.quit()
        else c.disconnect()
      } catch {
        c.disconnect()
      }
    }))
  }
}
