// The jobs engine as one service with explicit dependencies (Redis settings and key prefix, a prom-client
// registry, a logger, the config section, a claim function): no Fastify. The HTTP routes, the admin API, the
// proxy plugin (inline workers), the `worker` command and the `jobs` command all use it.
import type { Registry } from 'prom-client'
import { redisClaim } from './claim.js'
import type { CronScheduler } from './cron.js'
import { createJobsClient, JobStore } from './job-store.js'
import { JobKeys } from './keys.js'
import { JobsMetrics } from './metrics.js'
import { resolveJobsParams, type JobsParams, type ResolveOptions } from './options.js'
import { Producer } from './producer.js'
import type { JobsSection } from './schema.js'
import type { ClaimFn, Handler, JobsLogger, RedisSettings } from './types.js'
import type { WorkerPool } from './worker-pool.js'

export interface JobsServiceOptions extends ResolveOptions {
  config: JobsSection
  redis: RedisSettings
  registry: Registry
  log: JobsLogger
  /** Fleet-wide claim of a cron tick or a chore. @default Redis SET NX PX on the engine's connection */
  claim?: ClaimFn
  now?: () => number
  /** Jitter source of the retry backoff. @default Math.random */
  random?: () => number
}

export interface HealthResult {
  ok: boolean
  reason?: string
}

export interface StartWorkersOptions {
  workerId?: string
  /** Handlers to use instead of the configured ones (tests, embedding). */
  handlers?: ReadonlyMap<string, Handler>
  /** Run the schedules in this process. @default true */
  schedules?: boolean
}

export class JobsService {
  readonly params: JobsParams
  readonly keys: JobKeys
  readonly store: JobStore
  readonly producer: Producer
  readonly metrics: JobsMetrics
  readonly claim: ClaimFn
  readonly #o: JobsServiceOptions
  readonly #now: () => number
  #pool: WorkerPool | null = null
  #starting: Promise<WorkerPool> | null = null
  #stopping = false
  #cron: CronScheduler | null = null
  #handlers: ReadonlyMap<string, Handler> | null = null
  #closed = false

  constructor (opts: JobsServiceOptions) {
    this.#o = opts
    this.#now = opts.now ?? Date.now
    this.params = resolveJobsParams(opts.config, opts)
    this.keys = new JobKeys(opts.redis.keyPrefix)
    this.store = new JobStore(createJobsClient(opts.redis), this.keys)
    this.claim = opts.claim ?? redisClaim(this.store.client)
    this.metrics = new JobsMetrics({
      registry: opts.registry,
      types: [...this.params.types.keys()],
      queueStats: () => this.store.queueStats(this.#now()),
      liveWorkers: async () => (await this.store.liveWorkers(this.#now(), this.params.section.workerTtl)).length
    })
    this.producer = new Producer(this.params, this.store, this.metrics, this.#now)
  }

  /** Opens the Redis connection, waiting at most its connectTimeout; false when Redis did not answer (ioredis
   * keeps retrying in the background, and calls fail fast with a 503 meanwhile). Never throws. */
  async connect (): Promise<boolean> {
    try {
      await this.store.client.connect()
      return true
    } catch {
      return false
    }
  }

  get workers (): WorkerPool | null {
    return this.#pool
  }

  /** Starts the workers (and the schedules) of this process; resolves once they claim jobs. */
  startWorkers (opts: StartWorkersOptions = {}): Promise<WorkerPool> {
    this.#starting ??= this.#startWorkers(opts)
    return this.#starting
  }

  async #startWorkers (opts: StartWorkersOptions): Promise<WorkerPool> {
    // Loaded here, not at the top: a proxy without inline workers never loads bee-queue, its Redis client or
    // the handlers' libraries.
    const [{ WorkerPool }, { CronScheduler }, { createHandlers }] = await Promise.all([
      import('./worker-pool.js'), import('./cron.js'), import('./handlers/create-handler.js')
    ])
    const handlers = opts.handlers ?? await createHandlers(this.params)
    this.#handlers = opts.handlers === undefined ? handlers : null
    if (this.#stopping) throw new Error('jobs: workers stopped before they started')
    const pool = this.#pool = new WorkerPool({
      params: this.params,
      store: this.store,
      redis: this.#o.redis,
      metrics: this.metrics,
      handlers,
      log: this.#o.log,
      claim: this.claim,
      workerId: opts.workerId,
      random: this.#o.random,
      now: this.#o.now
    })
    await pool.start()
    if (opts.schedules !== false && this.params.schedules.length > 0 && !this.#stopping) {
      this.#cron = new CronScheduler({
        schedules: this.params.schedules,
        producer: this.producer,
        claim: this.claim,
        client: this.store.client,
        keys: this.keys,
        log: this.#o.log,
        now: this.#o.now
      })
      await this.#cron.start()
    }
    return pool
  }

  /** Graceful stop of this process's workers (see WorkerPool.close); true when every running job finished. */
  async stopWorkers (deadlineMs?: number): Promise<boolean> {
    this.#stopping = true
    // A start still loading its modules ends first (it sees #stopping); one waiting for Redis is not waited
    // for: closing its pool below ends it.
    if (this.#pool === null) await this.#starting?.catch(() => null)
    await this.#cron?.stop()
    this.#cron = null
    const ok = this.#pool === null ? true : await this.#pool.close(deadlineMs)
    this.#pool = null
    if (this.#handlers !== null) await Promise.all([...this.#handlers.values()].map(h => h.close?.()))
    this.#handlers = null
    return ok
  }

  /** Health check `jobs`: jobs waiting with no worker heard from is the failure an operator must see. */
  async health (): Promise<HealthResult> {
    const s = this.params.section
    const now = this.#now()
    try {
      const [queues, workers] = await Promise.all([this.store.queueStats(now), this.store.liveWorkers(now, s.workerTtl)])
      const waiting = queues.reduce((n, q) => n + q.waiting, 0)
      if (waiting > 0 && workers.length === 0) {
        return { ok: false, reason: `${waiting} job(s) waiting but no worker running (start \`sipup-sidecar worker\` or set jobs.inline)` }
      }
      const oldest = Math.max(...queues.map(q => q.oldestWaitingSeconds))
      return { ok: true, reason: `${workers.length} worker(s), ${waiting} waiting${oldest > 0 ? `, oldest ${Math.round(oldest)} s` : ''}` }
    } catch (err) {
      return { ok: false, reason: `job store unreachable: ${(err as Error).message}` }
    }
  }

  async close (deadlineMs?: number): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.stopWorkers(deadlineMs)
    const c = this.store.client
    try {
      if (c.status === 'ready') await c.quit()
      else c.disconnect()
    } catch {
      c.disconnect()
    }
  }
}
