// The jobs engine's public contract: what the service takes (explicit dependencies, no Fastify) and what it gives
// the HTTP routes, the admin API and the CLI.
import type { RedisOptions } from 'ioredis'
import type { Priority } from './schema.js'

/** The subset of pino the engine logs through (a Fastify logger or a plain pino logger both fit). */
export interface JobsLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  debug(obj: object, msg?: string): void
}

/**
 * Claims one cron tick fleet-wide: resolves true for exactly one caller per `key` while the claim lives (`ttlMs`),
 * false for every other caller, and rejects when the claim can't be decided (Redis down: the tick is retried).
 * The default is Redis `SET key 1 NX PX ttlMs` (claim.ts); the core's fleet lock can replace it.
 */
export type ClaimFn = (key: string, ttlMs: number) => Promise<boolean>

export interface RedisSettings {
  /** redis:// URL of the server (credentials allowed; they are never logged). */
  url: string
  /** ioredis options merged over the engine's (connectTimeout, commandTimeout...). */
  options?: RedisOptions
  /** `redis.keyPrefix`: every key the engine writes starts with it. */
  keyPrefix: string
}

export type JobState = 'waiting' | 'delayed' | 'active' | 'succeeded' | 'failed'

export interface EnqueueOptions {
  /** Overrides the type's priority. */
  priority?: Priority
  /** Run no earlier than this many ms from now. */
  delayMs?: number
  /** Run no earlier than this time (epoch ms); wins over delayMs. */
  runAt?: number
  /** A retried request with the same key (per type) gets the first job back instead of a second one. */
  idempotencyKey?: string
  /** Signature of a signed request: accepted once (replay protection), checked in the same atomic step as the store. */
  signature?: string
}

export interface EnqueueResult {
  id: string
  status: 'waiting' | 'delayed'
  /** True when the idempotency key already named a job: nothing new was stored. */
  duplicate: boolean
}

export interface JobInfo {
  id: string
  type: string
  queue: Priority
  status: JobState
  /** Runs started so far (a re-run after a crashed worker counts: delivery is at-least-once). */
  attempts: number
  maxAttempts: number
  progress: unknown
  result: unknown
  error: string | null
  createdAt: string
  /** When a delayed job (or a retry) becomes due. */
  runAt: string | null
  finishedAt: string | null
}

export interface FailedJob {
  id: string
  queue: Priority
  /** The job type (the dashboard shows it in its "job" column). */
  name: string
  error: string
  attempts: number
  failedAt: string
  payload: unknown
}

export interface QueueStats {
  queue: Priority
  waiting: number
  active: number
  delayed: number
  succeeded: number
  failed: number
  /** Age of the oldest waiting job in seconds (0 when none waits). */
  oldestWaitingSeconds: number
}

export interface JobsStats {
  queues: QueueStats[]
  deadLetter: number
  /** Workers heard from within jobs.workerTtl. */
  workers: { id: string, lastSeen: string }[]
}

/** What a `module` handler gets besides the payload. */
export interface JobContext {
  id: string
  type: string
  /** 1 on the first run; a retry or a re-run after a crashed worker counts up. */
  attempt: number
  /** Aborted when the attempt times out or the worker shuts down past its deadline. */
  signal: AbortSignal
  /** Records progress (any JSON value), shown by `GET <prefix>/<id>`. */
  progress(value: unknown): Promise<void>
  log: JobsLogger
}

export type ModuleHandler = (payload: unknown, ctx: JobContext) => unknown

/** One handler of a job type, built once at start-up. */
export interface Handler {
  run(payload: unknown, ctx: JobContext): Promise<unknown>
  close?(): Promise<void>
}
