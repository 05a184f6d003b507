// The workers of one process: a bee-queue Queue per priority, each claiming jobs on its own, every claimed job
// waiting in the priority gate for a slot. Around bee-queue it adds what bee-queue leaves to the caller:
// stalled-job checks on a timer, a stall cap per job (bee-queue#106: a job that crashes its worker would
// otherwise run forever), exponential backoff with jitter, timeouts with an AbortSignal, per-type concurrency and
// rate limits, a heartbeat, retention, and a shutdown that finishes running jobs within a deadline and hands
// claimed-but-not-started ones back to their queue.
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import BeeQueue from 'bee-queue'
import { SIPUP_ERR_JOBS_STALLED, SIPUP_ERR_JOBS_TIMEOUT, SIPUP_ERR_JOBS_UNKNOWN_TYPE } from '../../errors.js'
import { backoffDelay } from './backoff.js'
import { BACKOFF_STRATEGY, type JobData } from './bee-format.js'
import type { JobStore } from './job-store.js'
import type { JobsMetrics } from './metrics.js'
import type { JobsParams } from './options.js'
import { PriorityGate } from './priority-gate.js'
import { PRIORITIES, type Priority } from './schema.js'
import type { ClaimFn, Handler, JobContext, JobsLogger, RedisSettings } from './types.js'

/** Delay before a job put back for an infrastructure reason (Redis hiccup during bookkeeping) runs again. */
const REQUEUE_AFTER_ERROR_MS = 1000
/** How long a job of a saturated type is set aside (in the delayed set) before it is claimed again. */
const SATURATED_REQUEUE_MS = 1000
/** How long such a job keeps its claim before it is set aside (bounds the churn; see #acquire). */
const SET_ASIDE_HOLD_MS = 250
/** How often one worker (per claim) sweeps finished and dead-lettered jobs past their retention. */
const SWEEP_EVERY_MS = 60_000
/** Same backoff arithmetic for a job whose type is gone from the config. */
const FALLBACK_BACKOFF = { backoffMs: 5000, maxBackoffMs: 600_000, jitter: 0.2 }

const kRequeue = Symbol('sipup.jobs.requeue')

type BeeJob = BeeQueue.Job<JobData> & { [kRequeue]?: number }

export interface WorkerPoolOptions {
  params: JobsParams
  store: JobStore
  redis: RedisSettings
  metrics: JobsMetrics
  handlers: ReadonlyMap<string, Handler>
  log: JobsLogger
  claim: ClaimFn
  /** @default a random id with the host name and pid */
  workerId?: string
  random?: () => number
  now?: () => number
}

/** node_redis (bee-queue's own client) options from the URL: bee-queue runs on the client it was tested with. */
function beeRedisOptions (url: string): Record<string, unknown> {
  const opts: Record<string, unknown> = { url }
  if (url.startsWith('rediss:')) opts.tls = {}
  return opts
}

function messageOf (err: unknown): string {
  const e = err as Error & { code?: string }
  if (e === null || typeof e !== 'object') return String(err)
  return e.code !== undefined && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message
}

/** An error bee-queue files without a stack (it keeps `stack` in the record's stacktraces). */
function plainError (message: string): Error {
  const err = new Error(message)
  err.stack = message
  return err
}

export class WorkerPool {
  readonly id: string
  readonly #o: WorkerPoolOptions
  readonly #queues: BeeQueue<JobData>[] = []
  readonly #gate: PriorityGate
  readonly #running = new Set<AbortController>()
  readonly #random: () => number
  readonly #now: () => number
  readonly #timers: NodeJS.Timeout[] = []
  #closing: Promise<boolean> | null = null
  #shutDown = false
  #outage = false
  #ready = false

  constructor (opts: WorkerPoolOptions) {
    this.#o = opts
    this.id = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
    this.#random = opts.random ?? Math.random
    this.#now = opts.now ?? Date.now
    const s = opts.params.section
    this.#gate = new PriorityGate({
      concurrency: s.concurrency,
      shares: s.fairness,
      typeLimit: type => opts.params.types.get(type)?.concurrency ?? 1
    })
  }

  get running (): number {
    return this.#gate.running
  }

  /** Claimed jobs waiting for a slot. */
  get waiting (): number {
    return this.#gate.waiting
  }

  /** Connects the queues and starts claiming jobs. Resolves once every queue is ready. */
  async start (): Promise<void> {
    const s = this.#o.params.section
    const ready: Promise<unknown>[] = []
    for (const priority of PRIORITIES) {
      const q = new BeeQueue<JobData>(priority, {
        prefix: this.#o.store.keys.beePrefix,
        redis: beeRedisOptions(this.#o.redis.url) as BeeQueue.QueueSettings['redis'],
        isWorker: true,
        getEvents: false,
        sendEvents: false,
        storeJobs: false,
        activateDelayedJobs: true,
        removeOnSuccess: false,
        removeOnFailure: false,
        stallInterval: s.stallInterval
      })
      q.backoffStrategies.set(BACKOFF_STRATEGY, job => this.#backoff(job as BeeJob))
      q.on('error', err => { this.#onError(err) })
      q.on('stalled', id => { this.#onStalled(priority, id) })
      this.#queues.push(q)
      ready.push(q.ready())
    }
    await Promise.all(ready)
    this.#ready = true
    if (this.#closing !== null) return
    // One claimed job beyond the slots waits in the gate, so a freed slot finds the next high job already there.
    const claimAhead = s.concurrency + 1
    this.#queues.forEach((q, i) => {
      const priority = PRIORITIES[i]
      q.process(claimAhead, job => this.#handle(priority, job as BeeJob))
      // bee-queue only checks when asked; its stallBlock key makes one check per stallInterval fleet-wide.
      void q.checkStalledJobs(Math.max(100, Math.floor(s.stallInterval / 2))).catch((err: unknown) => { this.#onError(err as Error) })
    })
    this.#beat()
    this.#timers.push(setInterval(() => { this.#beat() }, s.heartbeat))
    this.#timers.push(setInterval(() => { void this.#sweep() }, SWEEP_EVERY_MS))
    for (const t of this.#timers) t.unref()
    this.#o.log.info({ worker: this.id, concurrency: s.concurrency, types: [...this.#o.params.types.keys()] }, 'jobs: workers started')
  }

  #beat (): void {
    const s = this.#o.params.section
    this.#o.store.heartbeat(this.id, this.#now(), s.workerTtl).then(() => {
      if (this.#outage) { this.#outage = false; this.#o.log.info({ worker: this.id }, 'jobs: Redis is back') }
    }, (err: unknown) => { this.#onError(err as Error) })
  }

  async #sweep (): Promise<void> {
    const s = this.#o.params.section
    const now = this.#now()
    try {
      if (!await this.#o.claim(this.#o.store.keys.chore('sweep', Math.floor(now / SWEEP_EVERY_MS)), SWEEP_EVERY_MS)) return
      const n = await this.#o.store.sweep(now, s.keepSucceeded, s.keepFailed)
      if (n > 0) this.#o.log.debug({ removed: n }, 'jobs: retention sweep')
    } catch (err) {
      this.#onError(err as Error)
    }
  }

  #onError (err: Error): void {
    if (this.#shutDown || this.#outage) return
    this.#outage = true
    this.#o.log.error({ err: messageOf(err), worker: this.id }, 'jobs: Redis error in the workers; they resume when it answers')
  }

  #onStalled (priority: Priority, id: string): void {
    this.#o.store.client.hget(this.#o.store.keys.queues[priority].jobs, id).then(raw => {
      const type = raw === null ? '' : (JSON.parse(raw) as { data: JobData }).data.type
      this.#o.metrics.stalled.inc({ type })
      this.#o.log.warn({ job: id, type }, 'jobs: job stalled (its worker died or froze); it runs again')
    }).catch(() => {})
  }

  #backoff (job: BeeJob): number {
    const requeue = job[kRequeue]
    if (requeue !== undefined) return requeue
    const t = this.#o.params.types.get(job.data.type) ?? FALLBACK_BACKOFF
    // bee-queue calls this before it decrements `retries`: attempts - retries is the attempt that just failed.
    return backoffDelay(t, job.data.attempts - (job.options.retries as number), this.#random)
  }

  /** bee-queue puts the job back (status retrying, delay `delayMs`) without spending an attempt. */
  #requeue (job: BeeJob, delayMs: number, why: string): never {
    job[kRequeue] = delayMs
    job.options.retries = (job.options.retries as number) + 1
    throw plainError(why)
  }

  async #acquire (priority: Priority, job: BeeJob): Promise<void> {
    const type = job.data.type
    const t = this.#o.params.types.get(type)
    for (;;) {
      const admission = await this.#gate.acquire(priority, type)
      if (admission === 'closed') this.#requeue(job, 0, 'worker shutting down: job put back in its queue')
      if (admission === 'busy') {
        // Held a moment first: bee-queue claims the next job as soon as this one is handed back, and in a backlog
        // of this type that would cycle the whole backlog through Redis. Held, it costs at most a few jobs a second.
        await new Promise(resolve => setTimeout(resolve, SET_ASIDE_HOLD_MS).unref())
        this.#requeue(job, SATURATED_REQUEUE_MS, `type ${type} is at its concurrency or rate limit here: set aside briefly so other types keep flowing`)
      }
      if (t === undefined || t.rateLimit <= 0) return
      let wait: number
      try {
        wait = await this.#o.store.client.sipupRate(this.#o.store.keys.rate(type), t.rateWindowMs / t.rateLimit, t.rateWindowMs)
      } catch (err) {
        this.#gate.release(type)
        return this.#requeue(job, REQUEUE_AFTER_ERROR_MS, `rate limit unavailable (${messageOf(err)}): job put back`)
      }
      if (wait <= 0) return
      this.#gate.block(type, this.#now() + wait)
      this.#gate.release(type)
    }
  }

  async #handle (priority: Priority, job: BeeJob): Promise<unknown> {
    const data = job.data
    const type = data.type
    await this.#acquire(priority, job)
    try {
      return await this.#run(job, data, type)
    } finally {
      this.#gate.release(type)
    }
  }

  async #run (job: BeeJob, data: JobData, type: string): Promise<unknown> {
    const o = this.#o
    const store = o.store
    let runs: number
    try {
      runs = await store.startRun(job.id)
    } catch (err) {
      return this.#requeue(job, REQUEUE_AFTER_ERROR_MS, `could not record the run (${messageOf(err)}): job put back`)
    }
    const retriesUsed = data.attempts - 1 - (job.options.retries as number)
    const stalls = runs - 1 - retriesUsed
    const t = o.params.types.get(type)
    const handler = o.handlers.get(type)
    if (stalls >= o.params.section.stallLimit || t === undefined || handler === undefined) {
      const err = t === undefined || handler === undefined ? new SIPUP_ERR_JOBS_UNKNOWN_TYPE(type) : new SIPUP_ERR_JOBS_STALLED(stalls)
      // No retry: bee-queue fails a job whose retry budget is spent.
      job.options.retries = 0
      const message = messageOf(err)
      await store.recordFailure(job.id, message, true, this.#now()).catch(() => {})
      o.metrics.failed.inc({ type })
      o.log.error({ job: job.id, type, err: message }, 'jobs: job failed')
      throw plainError(message)
    }
    const ac = new AbortController()
    const timer = setTimeout(() => { ac.abort(new SIPUP_ERR_JOBS_TIMEOUT(t.timeoutMs)) }, t.timeoutMs)
    this.#running.add(ac)
    const ctx: JobContext = {
      id: job.id,
      type,
      attempt: runs,
      signal: ac.signal,
      progress: value => store.saveProgress(job.id, value),
      log: o.log
    }
    const started = performance.now()
    let result: unknown
    try {
      result = await Promise.race([handler.run(data.payload, ctx), aborted(ac.signal)])
    } catch (err) {
      const seconds = (performance.now() - started) / 1000
      // Cut by the shutdown deadline: bee-queue is closed and files nothing; the job stays claimed and is re-run
      // by the stall check elsewhere. Record nothing either.
      if (this.#shutDown) throw err
      const final = (job.options.retries as number) <= 0
      const message = messageOf(ac.signal.aborted ? ac.signal.reason : err)
      await store.recordFailure(job.id, message, final, this.#now()).catch(() => {})
      o.metrics.duration.observe({ type, outcome: final ? 'failed' : 'retrying' }, seconds)
      if (final) {
        o.metrics.failed.inc({ type })
        o.log.error({ job: job.id, type, attempt: runs, err: message }, 'jobs: job failed after its last attempt')
      } else {
        o.metrics.retried.inc({ type })
        o.log.warn({ job: job.id, type, attempt: runs, err: message }, 'jobs: attempt failed; retrying after backoff')
      }
      throw plainError(message)
    } finally {
      clearTimeout(timer)
      this.#running.delete(ac)
    }
    o.metrics.duration.observe({ type, outcome: 'succeeded' }, (performance.now() - started) / 1000)
    o.metrics.completed.inc({ type })
    // The job did succeed: losing its stored result to a Redis hiccup must not make it run again.
    await store.recordSuccess(job.id, result, this.#now()).catch((err: unknown) => { this.#onError(err as Error) })
    return null
  }

  /**
   * Stops claiming, hands claimed-but-not-started jobs back, lets running ones finish until `deadlineMs`, then
   * aborts the rest (they stay claimed; the stall check re-runs them elsewhere). True when all finished in time.
   */
  close (deadlineMs = this.#o.params.section.shutdownTimeout): Promise<boolean> {
    this.#closing ??= (async () => {
      for (const t of this.#timers) clearInterval(t)
      // Never connected (Redis down since start): nothing runs, nothing to wait for.
      const deadline = this.#ready ? deadlineMs : 1
      const closes = this.#queues.map(q => q.close(deadline).then(() => true, () => false))
      this.#gate.close()
      const finished = (await Promise.all(closes)).every(Boolean)
      this.#shutDown = true
      if (!finished) {
        for (const ac of this.#running) ac.abort(new Error('worker shut down before the job finished; it runs again elsewhere'))
        this.#o.log.warn({ worker: this.id, aborted: this.#running.size }, 'jobs: shutdown deadline reached; unfinished jobs will be re-run')
      }
      await this.#o.store.dropWorker(this.id).catch(() => {})
      return finished
    })()
    return this.#closing
  }
}

/** Rejects when `signal` aborts; never an unhandled rejection when the handler won the race first. */
function aborted (signal: AbortSignal): Promise<never> {
  const p = new Promise<never>((_resolve, reject) => {
    signal.addEventListener('abort', () => { reject(signal.reason as Error) }, { once: true })
  })
  p.catch(() => {})
  return p
}
