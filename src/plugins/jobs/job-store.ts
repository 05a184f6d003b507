// The engine's Redis side outside bee-queue's worker loop: enqueue, status, cancel, the dead-letter index, run
// bookkeeping, retention and stats. One ioredis connection that fails fast (no offline queue): while Redis is down
// every call rejects at once and the producer answers 503 instead of waiting.
import { createHash } from 'node:crypto'
import { Redis, type RedisOptions } from 'ioredis'
import { SIPUP_ERR_JOBS_CONFLICT, SIPUP_ERR_JOBS_NOT_FOUND, SIPUP_ERR_JOBS_UNAVAILABLE } from '../../errors.js'
import { decodeRecord, resetForRetry, type BeeRecord } from './bee-format.js'
import { ID_LETTER, JobKeys, queueOfId } from './keys.js'
import { defineScripts, type JobsRedis } from './scripts.js'
import { PRIORITIES, type Priority } from './schema.js'
import type { EnqueueResult, FailedJob, JobInfo, JobsStats, QueueStats, RedisSettings } from './types.js'

/** Jobs a dead-letter page lists at most. */
export const MAX_PAGE = 500
/** Entries one retention pass removes at most per index (the next pass takes the rest). */
const SWEEP_BATCH = 1000
/** Bytes of a result or error kept per job. */
export const MAX_OUTCOME_BYTES = 16 * 1024

const DEFAULT_REDIS_OPTIONS: RedisOptions = {
  lazyConnect: true,
  // Concurrent enqueues share one socket write per tick instead of one each (measured in bench/jobs).
  enableAutoPipelining: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  commandTimeout: 2000,
  retryStrategy: (times: number) => Math.min(200 * times, 2000)
}

export function createJobsClient (settings: RedisSettings): JobsRedis {
  const client = new Redis(settings.url, { ...DEFAULT_REDIS_OPTIONS, ...settings.options })
  // Errors surface on the calls that fail; the owner logs outages once (service.ts).
  client.on('error', () => {})
  return defineScripts(client)
}

export interface StoredJob {
  type: string
  priority: Priority
  /** bee-queue record JSON (bee-format.ts encodeRecord). */
  record: string
  /** Epoch ms it becomes due, 0 = now. */
  runAt: number
  idempotencyKey?: string | undefined
  idempotencyTtlMs: number
  signature?: string | undefined
  signatureTtlMs: number
}

/** One job of a batch (the batch shares its type's idempotency namespace and the request's signature). */
export interface StoredBatchItem {
  priority: Priority
  record: string
  runAt: number
  idempotencyKey?: string | undefined
}

export interface StoredBatch {
  type: string
  items: readonly StoredBatchItem[]
  idempotencyTtlMs: number
  signature?: string | undefined
  signatureTtlMs: number
}

/** KEYS before the per-item idempotency keys in sipupEnqueueBatch. */
const BATCH_FIXED_KEYS = 14

interface Outcome { result?: unknown, error?: string }

function unavailable (err: unknown): Error {
  const e = err as Error & { code?: string }
  return new SIPUP_ERR_JOBS_UNAVAILABLE(e.code ?? e.message, { cause: err })
}

function clip (text: string, max: number): string {
  return Buffer.byteLength(text) <= max ? text : `${Buffer.from(text).subarray(0, max).toString('utf8')}…`
}

/** A result or error as stored: JSON, bounded (an oversized result is kept as a note, not truncated JSON). */
export function encodeOutcome (o: Outcome): string {
  if (o.error !== undefined) return JSON.stringify({ error: clip(o.error, MAX_OUTCOME_BYTES) })
  const json = JSON.stringify({ result: o.result ?? null })
  return Buffer.byteLength(json) <= MAX_OUTCOME_BYTES ? json : JSON.stringify({ result: { truncated: true, bytes: Buffer.byteLength(json) } })
}

function parseOutcome (raw: string | null): Outcome {
  if (raw === null) return {}
  try {
    return JSON.parse(raw) as Outcome
  } catch {
    return {}
  }
}

const iso = (ms: number | null): string | null => ms === null ? null : new Date(ms).toISOString()
const num = (v: string | number | null): number | null => v === null ? null : Number(v)

export class JobStore {
  readonly client: JobsRedis
  readonly keys: JobKeys

  constructor (client: JobsRedis, keys: JobKeys) {
    this.client = client
    this.keys = keys
  }

  /** Stores the job, or finds the one its idempotency key names. Rejects with SIPUP_ERR_JOBS_UNAVAILABLE (nothing stored) when Redis fails. */
  async enqueue (job: StoredJob): Promise<EnqueueResult | 'replayed'> {
    const q = this.keys.queues[job.priority]
    const idem = job.idempotencyKey !== undefined
      ? this.keys.idempotency(job.type, createHash('sha256').update(job.idempotencyKey).digest('base64url'))
      : this.keys.seq
    const sig = job.signature !== undefined ? this.keys.signature(job.signature) : this.keys.seq
    let reply: [string, string]
    try {
      reply = await this.client.sipupEnqueue(this.keys.seq, q.jobs, q.waiting, q.delayed, q.earlierDelayed, idem, sig,
        this.keys.queues.high.jobs, this.keys.queues.normal.jobs, this.keys.queues.low.jobs,
        ID_LETTER[job.priority], job.record, job.runAt,
        job.idempotencyKey !== undefined ? job.idempotencyTtlMs : 0, job.signature !== undefined ? job.signatureTtlMs : 0)
    } catch (err) {
      throw unavailable(err)
    }
    const [id, status] = reply
    if (status === 'replayed') return 'replayed'
    if (status === 'duplicate') {
      const info = await this.get(id).catch(() => null)
      return { id, status: info?.status === 'delayed' ? 'delayed' : 'waiting', duplicate: true }
    }
    return { id, status: status as 'waiting' | 'delayed', duplicate: false }
  }

  /**
   * Stores every item of a batch, or none: one Lua call (one round trip, atomic). Results are in item order.
   * Rejects with SIPUP_ERR_JOBS_UNAVAILABLE (nothing stored) when Redis fails.
   */
  async enqueueBatch (batch: StoredBatch): Promise<EnqueueResult[] | 'replayed'> {
    const k = this.keys
    const { high, normal, low } = k.queues
    const n = batch.items.length
    const args: (string | number)[] = new Array(1 + BATCH_FIXED_KEYS + n + 3 + 4 * n)
    let a = 0
    args[a++] = BATCH_FIXED_KEYS + n
    args[a++] = k.seq
    args[a++] = batch.signature !== undefined ? k.signature(batch.signature) : k.seq
    for (const q of [high, normal, low]) { args[a++] = q.jobs; args[a++] = q.waiting; args[a++] = q.delayed; args[a++] = q.earlierDelayed }
    for (const item of batch.items) {
      args[a++] = item.idempotencyKey !== undefined
        ? k.idempotency(batch.type, createHash('sha256').update(item.idempotencyKey).digest('base64url'))
        : k.seq
    }
    args[a++] = batch.idempotencyTtlMs
    args[a++] = batch.signature !== undefined ? batch.signatureTtlMs : 0
    args[a++] = n
    for (const item of batch.items) {
      args[a++] = ID_LETTER[item.priority]
      args[a++] = item.record
      args[a++] = item.runAt
      args[a++] = item.idempotencyKey !== undefined ? '1' : '0'
    }
    let reply: string[]
    try {
      reply = await this.client.sipupEnqueueBatch(...args)
    } catch (err) {
      throw unavailable(err)
    }
    if (reply[1] === 'replayed') return 'replayed'
    const out: EnqueueResult[] = new Array(n)
    for (let i = 0; i < n; i++) {
      const status = reply[2 * i + 1]
      const duplicate = status.startsWith('duplicate-')
      out[i] = { id: reply[2 * i], status: status.endsWith('delayed') ? 'delayed' : 'waiting', duplicate }
    }
    return out
  }

  async #status (id: string, queue: Priority): Promise<(string | number | null)[]> {
    const q = this.keys.queues[queue]
    const k = this.keys
    try {
      return await this.client.sipupStatus(q.jobs, q.delayed, q.active, k.runs, k.outcome, k.progress, k.done, k.dead, id)
    } catch (err) {
      throw unavailable(err)
    }
  }

  async get (id: string): Promise<JobInfo | null> {
    const queue = queueOfId(id)
    if (queue === null) return null
    const [raw, delayedAt, activePos, runs, outcomeRaw, progressRaw, doneAt, deadAt] = await this.#status(id, queue)
    if (raw === null) return null
    const record = decodeRecord(String(raw))
    const outcome = parseOutcome(outcomeRaw === null ? null : String(outcomeRaw))
    const status = record.status === 'succeeded'
      ? 'succeeded'
      : record.status === 'failed' ? 'failed' : delayedAt !== null ? 'delayed' : activePos !== null ? 'active' : 'waiting'
    let progress: unknown = record.progress
    if (progressRaw !== null) {
      try { progress = JSON.parse(String(progressRaw)) } catch { /* keep bee-queue's */ }
    }
    return {
      id,
      type: record.data.type,
      queue,
      status,
      attempts: Number(runs ?? 0),
      maxAttempts: record.data.attempts,
      progress,
      result: status === 'succeeded' ? (outcome.result ?? null) : null,
      error: outcome.error ?? null,
      createdAt: new Date(record.options.timestamp).toISOString(),
      runAt: iso(num(delayedAt)),
      finishedAt: iso(num(doneAt) ?? num(deadAt))
    }
  }

  /** Cancels a waiting or delayed job; 404 when unknown, 409 when it runs or already finished. */
  async cancel (id: string): Promise<void> {
    const queue = queueOfId(id)
    if (queue === null) throw new SIPUP_ERR_JOBS_NOT_FOUND(id)
    const q = this.keys.queues[queue]
    let r: string
    try {
      r = await this.client.sipupCancel(q.jobs, q.waiting, q.delayed, q.active, q.succeeded, q.failed,
        this.keys.runs, this.keys.outcome, this.keys.progress, id)
    } catch (err) {
      throw unavailable(err)
    }
    if (r === 'missing') throw new SIPUP_ERR_JOBS_NOT_FOUND(id)
    if (r !== 'cancelled') throw new SIPUP_ERR_JOBS_CONFLICT(id, r)
  }

  // --- worker bookkeeping ----------------------------------------------------------------------------------

  /** Counts a run of the job and returns how many have started (this one included). */
  async startRun (id: string): Promise<number> {
    return await this.client.hincrby(this.keys.runs, id, 1)
  }

  async saveProgress (id: string, value: unknown): Promise<void> {
    await this.client.hset(this.keys.progress, id, JSON.stringify(value ?? null))
  }

  /** Written before bee-queue marks the job done, so a status read never finds a finished job without its outcome. */
  async recordSuccess (id: string, result: unknown, now: number): Promise<void> {
    await this.client.multi()
      .hset(this.keys.outcome, id, encodeOutcome({ result }))
      .hdel(this.keys.progress, id)
      .zadd(this.keys.done, now, id)
      .exec()
  }

  /** A failed attempt; `final` also files it in the dead-letter index (scored by failure time). */
  async recordFailure (id: string, error: string, final: boolean, now: number): Promise<void> {
    const m = this.client.multi().hset(this.keys.outcome, id, encodeOutcome({ error }))
    if (final) m.hdel(this.keys.progress, id).zadd(this.keys.dead, now, id)
    await m.exec()
  }

  // --- dead letter -----------------------------------------------------------------------------------------

  /** Newest failures first. Index entries whose job is no longer failed (retried elsewhere) are skipped. */
  async listFailed (limit = 100, offset = 0): Promise<{ total: number, jobs: FailedJob[] }> {
    const n = Math.max(1, Math.min(MAX_PAGE, limit))
    let total: number
    let entries: string[]
    try {
      [total, entries] = await Promise.all([
        this.client.zcard(this.keys.dead),
        this.client.zrevrange(this.keys.dead, offset, offset + n - 1, 'WITHSCORES')
      ])
    } catch (err) {
      throw unavailable(err)
    }
    const ids: string[] = []
    const scores: number[] = []
    for (let i = 0; i < entries.length; i += 2) { ids.push(entries[i]); scores.push(Number(entries[i + 1])) }
    if (ids.length === 0) return { total, jobs: [] }
    const p = this.client.pipeline()
    for (const id of ids) {
      const queue = queueOfId(id) ?? 'normal'
      p.hget(this.keys.queues[queue].jobs, id).hget(this.keys.outcome, id).hget(this.keys.runs, id)
    }
    const res = await p.exec()
    const jobs: FailedJob[] = []
    ids.forEach((id, i) => {
      const raw = res?.[i * 3]?.[1] as string | null
      if (raw === null || raw === undefined) return
      const record = decodeRecord(raw)
      if (record.status !== 'failed') return
      const outcome = parseOutcome((res?.[i * 3 + 1]?.[1] as string | null) ?? null)
      jobs.push({
        id,
        queue: queueOfId(id) ?? 'normal',
        name: record.data.type,
        error: outcome.error ?? record.options.stacktraces[0]?.split('\n')[0] ?? '',
        attempts: Number(res?.[i * 3 + 2]?.[1] ?? 0),
        failedAt: new Date(scores[i]).toISOString(),
        payload: record.data.payload
      })
    })
    return { total, jobs }
  }

  /** Puts failed jobs back in their queue with a fresh retry budget; returns the ids that were retried. */
  async retry (ids: readonly string[]): Promise<string[]> {
    const done: string[] = []
    for (const id of ids) {
      const queue = queueOfId(id)
      if (queue === null) continue
      const q = this.keys.queues[queue]
      // Optimistic: read, reset in JS, write only if unchanged (a concurrent retry loses cleanly).
      for (let tries = 0; tries < 3; tries++) {
        const raw = await this.client.hget(q.jobs, id)
        if (raw === null) { await this.client.zrem(this.keys.dead, id); break }
        const record: BeeRecord = decodeRecord(raw)
        const r = await this.client.sipupRetry(q.jobs, q.failed, q.waiting, this.keys.dead, this.keys.runs,
          this.keys.outcome, this.keys.progress, id, raw, resetForRetry(record))
        if (r === 'ok') done.push(id)
        if (r !== 'changed') break
      }
    }
    return done
  }

  async retryAll (): Promise<string[]> {
    const out: string[] = []
    // Bounded passes: jobs failing again during the loop are not chased forever.
    for (let pass = 0; pass < 1000; pass++) {
      const ids = await this.client.zrange(this.keys.dead, 0, MAX_PAGE - 1)
      if (ids.length === 0) break
      const retried = await this.retry(ids)
      out.push(...retried)
      if (retried.length === 0 && ids.length < MAX_PAGE) break
    }
    return out
  }

  /** Removes jobs entirely (bee-queue record and the engine's indexes); returns how many existed. */
  async remove (ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0
    const p = this.client.pipeline()
    const k = this.keys
    for (const id of ids) {
      const q = k.queues[queueOfId(id) ?? 'normal']
      p.sipupRemove(q.jobs, q.succeeded, q.failed, q.waiting, q.active, q.stalling, q.delayed,
        k.runs, k.outcome, k.progress, k.dead, k.done, id)
    }
    const res = await p.exec()
    return (res ?? []).reduce((n, [err, v]) => n + (err === null && Number(v) > 0 ? 1 : 0), 0)
  }

  async removeAllFailed (): Promise<number> {
    let n = 0
    for (let pass = 0; pass < 1000; pass++) {
      const ids = await this.client.zrange(this.keys.dead, 0, MAX_PAGE - 1)
      if (ids.length === 0) break
      n += await this.remove(ids)
      await this.client.zrem(this.keys.dead, ...ids)
    }
    return n
  }

  /** Retention: drops finished jobs older than keepSucceededMs and dead-lettered ones older than keepFailedMs. */
  async sweep (now: number, keepSucceededMs: number, keepFailedMs: number): Promise<number> {
    const [done, dead] = await Promise.all([
      this.client.zrangebyscore(this.keys.done, '-inf', now - keepSucceededMs, 'LIMIT', 0, SWEEP_BATCH),
      this.client.zrangebyscore(this.keys.dead, '-inf', now - keepFailedMs, 'LIMIT', 0, SWEEP_BATCH)
    ])
    return await this.remove([...done, ...dead])
  }

  // --- stats and liveness ----------------------------------------------------------------------------------

  async queueStats (now: number): Promise<QueueStats[]> {
    const p = this.client.pipeline()
    for (const name of PRIORITIES) {
      const q = this.keys.queues[name]
      p.llen(q.waiting).llen(q.active).zcard(q.delayed).scard(q.succeeded).scard(q.failed).lindex(q.waiting, -1)
    }
    const res = await p.exec()
    if (res === null) throw unavailable(new Error('pipeline aborted'))
    for (const [err] of res) if (err !== null) throw unavailable(err)
    const v = (i: number): number => Number(res[i][1] ?? 0)
    const oldestIds = PRIORITIES.map((_, i) => res[i * 6 + 5][1] as string | null)
    const p2 = this.client.pipeline()
    PRIORITIES.forEach((name, i) => { if (oldestIds[i] !== null) p2.hget(this.keys.queues[name].jobs, oldestIds[i] as string) })
    const heads = oldestIds.some(id => id !== null) ? (await p2.exec()) ?? [] : []
    let h = 0
    return PRIORITIES.map((queue, i) => {
      let oldest = 0
      if (oldestIds[i] !== null) {
        const raw = heads[h++]?.[1] as string | null | undefined
        if (raw !== null && raw !== undefined) oldest = Math.max(0, (now - decodeRecord(raw).options.timestamp) / 1000)
      }
      return { queue, waiting: v(i * 6), active: v(i * 6 + 1), delayed: v(i * 6 + 2), succeeded: v(i * 6 + 3), failed: v(i * 6 + 4), oldestWaitingSeconds: oldest }
    })
  }

  async stats (now: number, workerTtlMs: number): Promise<JobsStats> {
    const [queues, deadLetter, workers] = await Promise.all([
      this.queueStats(now),
      this.client.zcard(this.keys.dead),
      this.liveWorkers(now, workerTtlMs)
    ])
    return { queues, deadLetter, workers }
  }

  async heartbeat (workerId: string, now: number, workerTtlMs: number): Promise<void> {
    await this.client.multi()
      .zadd(this.keys.workers, now, workerId)
      .zremrangebyscore(this.keys.workers, '-inf', now - 10 * workerTtlMs)
      .exec()
  }

  async dropWorker (workerId: string): Promise<void> {
    await this.client.zrem(this.keys.workers, workerId)
  }

  async liveWorkers (now: number, workerTtlMs: number): Promise<{ id: string, lastSeen: string }[]> {
    const r = await this.client.zrangebyscore(this.keys.workers, now - workerTtlMs, '+inf', 'WITHSCORES')
    const out: { id: string, lastSeen: string }[] = []
    for (let i = 0; i < r.length; i += 2) out.push({ id: r[i], lastSeen: new Date(Number(r[i + 1])).toISOString() })
    return out
  }
}
