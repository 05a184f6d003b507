// Enqueue: type known, payload valid against the type's schema, options parsed, then one atomic store. Never
// reports stored what was not stored: a Redis failure is SIPUP_ERR_JOBS_UNAVAILABLE (503) and nothing was written.
import { SIPUP_ERR_JOBS_INVALID_PAYLOAD, SIPUP_ERR_JOBS_UNAUTHORIZED, SIPUP_ERR_JOBS_UNKNOWN_TYPE } from '../../errors.js'
import { encodeRecord } from './bee-format.js'
import { batchError, type BatchItem } from './batch.js'
import type { JobStore, StoredBatchItem } from './job-store.js'
import type { JobsMetrics } from './metrics.js'
import type { JobsParams, PayloadProblem } from './options.js'
import type { PayloadError } from './enqueue-options.js'
import type { EnqueueOptions, EnqueueResult } from './types.js'

export class Producer {
  readonly #params: JobsParams
  readonly #store: JobStore
  readonly #metrics: JobsMetrics
  readonly #now: () => number

  constructor (params: JobsParams, store: JobStore, metrics: JobsMetrics, now: () => number) {
    this.#params = params
    this.#store = store
    this.#metrics = metrics
    this.#now = now
  }

  /** Throws 404 for an unknown type, 400 (with `problems`) for a payload its schema rejects. */
  check (type: string, payload: unknown): void {
    const t = this.#params.types.get(type)
    if (t === undefined) throw new SIPUP_ERR_JOBS_UNKNOWN_TYPE(type)
    const problems = t.validate(payload)
    if (problems.length > 0) {
      const err = new SIPUP_ERR_JOBS_INVALID_PAYLOAD(type, problems.map(p => `${p.field} ${p.message}`).join('; ')) as PayloadError
      err.problems = problems
      throw err
    }
  }

  /** `payloadJson` is the payload's JSON text (the request body as received, or JSON.stringify of it). */
  async enqueue (type: string, payload: unknown, payloadJson: string, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
    this.check(type, payload)
    const t = this.#params.types.get(type)
    if (t === undefined) throw new SIPUP_ERR_JOBS_UNKNOWN_TYPE(type)
    const now = this.#now()
    const priority = opts.priority ?? t.priority
    const runAt = opts.runAt !== undefined ? opts.runAt : opts.delayMs !== undefined && opts.delayMs > 0 ? now + opts.delayMs : 0
    const due = runAt > now ? runAt : 0
    const s = this.#params.section
    const r = await this.#store.enqueue({
      type,
      priority,
      record: encodeRecord(type, t.attempts, payloadJson, t.backoffMs, now, due),
      runAt: due,
      idempotencyKey: opts.idempotencyKey,
      idempotencyTtlMs: s.idempotencyTtl,
      signature: opts.signature,
      // Twice the window: a signature stays refused for as long as its timestamp could still pass the check.
      signatureTtlMs: 2 * s.replayWindow
    })
    if (r === 'replayed') throw new SIPUP_ERR_JOBS_UNAUTHORIZED('this signature was already used (replayed request); sign each request anew')
    if (!r.duplicate) this.#metrics.enqueued.inc({ type })
    return r
  }

  /**
   * Many jobs of one type, all or none: every payload is checked first (400 listing each bad item and field, nothing
   * stored), then one atomic Redis step stores them in order. Results are in item order.
   */
  async enqueueBatch (type: string, items: readonly BatchItem[], signature?: string): Promise<EnqueueResult[]> {
    const t = this.#params.types.get(type)
    if (t === undefined) throw new SIPUP_ERR_JOBS_UNKNOWN_TYPE(type)
    const problems: PayloadProblem[] = []
    for (let i = 0; i < items.length; i++) {
      for (const p of t.validate(items[i].payload)) problems.push({ item: i, field: p.field === '(payload)' ? 'payload' : `payload.${p.field}`, message: p.message })
    }
    if (problems.length > 0) {
      throw batchError(type, problems)
    }
    const now = this.#now()
    const stored: StoredBatchItem[] = new Array(items.length)
    for (let i = 0; i < items.length; i++) {
      const { payloadJson, opts } = items[i]
      const runAt = opts.runAt !== undefined ? opts.runAt : opts.delayMs !== undefined && opts.delayMs > 0 ? now + opts.delayMs : 0
      const due = runAt > now ? runAt : 0
      stored[i] = {
        priority: opts.priority ?? t.priority,
        record: encodeRecord(type, t.attempts, payloadJson, t.backoffMs, now, due),
        runAt: due,
        idempotencyKey: opts.idempotencyKey
      }
    }
    const s = this.#params.section
    const r = await this.#store.enqueueBatch({
      type,
      items: stored,
      idempotencyTtlMs: s.idempotencyTtl,
      signature,
      signatureTtlMs: 2 * s.replayWindow
    })
    if (r === 'replayed') throw new SIPUP_ERR_JOBS_UNAUTHORIZED('this signature was already used (replayed request); sign each request anew')
    let fresh = 0
    for (const x of r) if (!x.duplicate) fresh++
    if (fresh > 0) this.#metrics.enqueued.inc({ type }, fresh)
    return r
  }

  /** For code (cron ticks, the CLI, tests): the payload is serialised here. */
  async add (type: string, payload: unknown, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
    return await this.enqueue(type, payload, JSON.stringify(payload ?? {}), opts)
  }
}
