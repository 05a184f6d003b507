// Fleet heartbeats: every proxy process writes its record (types.ts) into one Redis hash under the shared key prefix
// every `fleet.heartbeatInterval`, and any of them reads the hash back for the fleet view. One key, so it works the
// same on standalone, Sentinel and Cluster (no SCAN across nodes, no multi-key command). The hash expires when no
// process has written for the retention; records of processes that went away are dropped by the readers.
import cluster from 'node:cluster'
import { randomBytes } from 'node:crypto'
import { availableParallelism, hostname } from 'node:os'
import type { FastifyBaseLogger } from 'fastify'
import type { CoreConfig } from '../../config/core-schema.js'
import type { SharedRedis } from '../redis.js'
import { summarise, STALE_AFTER_INTERVALS } from './summarise.js'
import type { Fleet, FleetCounts, FleetRecord, FleetView } from './types.js'

/** A record stays listed (stale or stopped) this many intervals after its last beat, then it is dropped. */
export const RETENTION_INTERVALS = 60
const ZERO: FleetCounts = { requests: 0, lookups: 0, hits: 0 }

export interface FleetOptions {
  config: CoreConfig
  redis: SharedRedis
  log: FastifyBaseLogger
  version: string
  /** @default Date.now */
  now?: () => number
}

function isRecord (v: unknown): v is FleetRecord {
  const r = v as Partial<FleetRecord> | null
  return typeof r === 'object' && r !== null && typeof r.id === 'string' && typeof r.node === 'string' &&
    typeof r.beatAt === 'number' && typeof r.intervalMs === 'number' && typeof r.window === 'object'
}

export class FleetHeartbeat implements Fleet {
  readonly #redis: SharedRedis
  readonly #log: FastifyBaseLogger
  readonly #now: () => number
  readonly #intervalMs: number
  readonly #key: string
  readonly #base: Omit<FleetRecord, 'beatAt' | 'state' | 'window' | 'measured'>
  #counts: (() => FleetCounts) | null = null
  #last: { at: number, counts: FleetCounts } | null = null
  #record: FleetRecord
  #timer: NodeJS.Timeout | null = null
  #beating: Promise<void> | null = null
  #failing = false

  constructor (opts: FleetOptions) {
    this.#redis = opts.redis
    this.#log = opts.log
    this.#now = opts.now ?? Date.now
    this.#intervalMs = opts.config.fleet.heartbeatInterval
    this.#key = opts.redis.key('fleet')
    const host = hostname()
    // One row per node: a worker of `server.workers` names its primary's pid as the node, and the reader adds the
    // workers up (each has its own counters; none sees the others').
    // The tag keeps a restarted process that got a recycled pid apart from the old one's record.
    const worker = cluster.isWorker
    const setting = opts.config.server.workers
    const id = `${host}:${process.pid}:${randomBytes(3).toString('hex')}`
    this.#base = {
      id,
      node: worker ? `${host}:${process.ppid}` : id,
      host,
      pid: process.pid,
      version: opts.version,
      startedAt: this.#now(),
      intervalMs: this.#intervalMs,
      workers: worker ? (setting === 'auto' ? availableParallelism() : setting) : 1
    }
    this.#record = this.#make('up')
  }

  setCounts (source: () => FleetCounts): void {
    this.#counts = source
  }

  /** First beat now (bounded by redis.commandTimeout), then one per interval. Never throws. */
  async start (): Promise<void> {
    if (this.#redis.client === null || this.#timer !== null) return
    this.#timer = setInterval(() => { void this.#beat() }, this.#intervalMs).unref()
    await this.#beat()
  }

  /** Graceful stop: the last record says `stopped`, so the fleet shows this node stopped, not stopped reporting. */
  async stop (): Promise<void> {
    if (this.#timer === null) return
    clearInterval(this.#timer)
    this.#timer = null
    await this.#beating
    this.#record = this.#make('stopped')
    await this.#write()
  }

  #make (state: FleetRecord['state']): FleetRecord {
    const now = this.#now()
    const counts = this.#counts?.() ?? ZERO
    const last = this.#last
    this.#last = { at: now, counts }
    const seconds = last === null ? 0 : (now - last.at) / 1000
    const d = last?.counts ?? counts
    return {
      ...this.#base,
      beatAt: now,
      state,
      window: { requests: counts.requests - d.requests, lookups: counts.lookups - d.lookups, hits: counts.hits - d.hits, seconds },
      measured: this.#counts !== null
    }
  }

  #beat (): Promise<void> {
    this.#beating ??= (async () => {
      this.#record = this.#make('up')
      await this.#write()
    })().finally(() => { this.#beating = null })
    return this.#beating
  }

  async #write (): Promise<void> {
    const client = this.#redis.client
    if (client === null || !this.#redis.isReady()) return
    try {
      await client.multi()
        .hset(this.#key, this.#record.id, JSON.stringify(this.#record))
        .pexpire(this.#key, RETENTION_INTERVALS * this.#intervalMs)
        .exec()
      this.#failing = false
    } catch (err) {
      // Once per outage: the shared client already logs the connection loss.
      if (!this.#failing) this.#log.warn({ err: { message: (err as Error).message } }, 'fleet: heartbeat not written')
      this.#failing = true
    }
  }

  async view (): Promise<FleetView> {
    const now = this.#now()
    const base = { intervalMs: this.#intervalMs, staleAfterMs: STALE_AFTER_INTERVALS * this.#intervalMs, generatedAt: now }
    const alone = (reason: string): FleetView => {
      const self: FleetRecord = { ...this.#record, beatAt: now }
      return { ...base, shared: false, reason, nodes: summarise([self], this.#base.node, now) }
    }
    const client = this.#redis.client
    if (client === null) return alone('redis.enabled is false: each instance sees only itself')
    if (!this.#redis.isReady()) return alone(`redis ${this.#redis.reason ?? 'not connected'}: showing this instance only`)
    let raw: Record<string, string>
    try {
      raw = await client.hgetall(this.#key)
    } catch (err) {
      return alone(`reading the fleet from Redis failed (${(err as Error).message}): showing this instance only`)
    }
    const records: FleetRecord[] = []
    const expired: string[] = []
    for (const [id, json] of Object.entries(raw)) {
      let r: unknown
      try { r = JSON.parse(json) } catch { r = null }
      if (!isRecord(r) || now - r.beatAt > RETENTION_INTERVALS * r.intervalMs) expired.push(id)
      else records.push(r)
    }
    if (expired.length > 0) client.hdel(this.#key, ...expired).catch(() => undefined)
    // Between our start and our first beat landing (or while our writes fail) we still belong in our own view.
    if (this.#timer !== null && !records.some(r => r.id === this.#base.id)) records.push({ ...this.#record, beatAt: now })
    return { ...base, shared: true, reason: null, nodes: summarise(records, this.#base.node, now) }
  }
}
