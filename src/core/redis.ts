// The one shared Redis connection. Start-up tries it once with a bounded wait; after that ioredis reconnects in the
// background. No offline queue: while Redis is down every command rejects at once, so no request waits on it.
import { Redis } from 'ioredis'
import type { FastifyBaseLogger } from 'fastify'
import { redactUrl } from '../config/redact.js'
import type { CoreConfig } from '../config/core-schema.js'
import type { RedisHandle } from './types.js'

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

export class SharedRedis implements RedisHandle {
  readonly client: Redis | null
  #reason: string | null
  readonly #prefix: string
  readonly #log: FastifyBaseLogger
  readonly #url: string
  readonly #duplicates: Redis[] = []
  #wasReady = false
  #outageLogged = false

  constructor (config: CoreConfig['redis'], log: FastifyBaseLogger) {
    this.#prefix = config.keyPrefix
    this.#log = log
    this.#url = redactUrl(config.url)
    if (!config.enabled) {
      this.client = null
      this.#reason = 'redis.enabled is false'
      return
    }
    this.#reason = 'not connected yet'
    const options = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: config.connectTimeout,
      commandTimeout: config.commandTimeout > 0 ? config.commandTimeout : undefined,
      retryStrategy: (times: number) => Math.min(200 * times, 2000)
    }
    this.client = config.sentinels.length === 0
      ? new Redis(config.url, options)
      : new Redis({ ...options, ...sentinelAuth(config.url), sentinels: [...config.sentinels], name: config.name })
    if (config.sentinels.length > 0) this.#url = `sentinel ${config.name} via ${config.sentinels.map(s => `${s.host}:${s.port}`).join(',')}`
    this.client.on('ready', () => {
      if (this.#outageLogged || !this.#wasReady) this.#log.info({ redis: this.#url }, 'redis: connected')
      this.#wasReady = true
      this.#outageLogged = false
      this.#reason = null
    })
    // One log line per outage, not one per reconnect attempt or per failed command.
    this.client.on('error', (err: Error & { code?: string }) => {
      this.#reason = `unreachable at ${this.#url}: ${err.code ?? err.message}`
      if (!this.#outageLogged && this.#wasReady) {
        this.#outageLogged = true
        this.#log.error({ redis: this.#url, err: err.message }, 'redis: connection lost; features fall back to memory until it is back')
      }
    })
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
    return this.#prefix + parts.join(':')
  }

  /** Waits at most connectTimeout for the first connection; never throws. */
  async connect (): Promise<boolean> {
    const client = this.client
    if (client === null) return false
    try {
      await client.connect()
      return true
    } catch (err) {
      const e = err as Error & { code?: string }
      // The 'error' event usually came first with the useful cause (ECONNREFUSED); connect() only says "closed".
      if (this.#reason === 'not connected yet') this.#reason = `unreachable at ${this.#url}: ${e.code ?? e.message}`
      this.#outageLogged = true
      return false
    }
  }

  duplicate (): Redis | null {
    if (this.client === null) return null
    const dup = this.client.duplicate({ lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: null })
    dup.on('error', () => { /* the shared client logs the outage once */ })
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
