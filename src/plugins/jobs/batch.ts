// The body of `POST <prefix>/<type>/batch`: a JSON array of `{payload, idempotencyKey?, priority?, delay?, runAt?}`.
// Every item is checked before anything is stored, and every problem is reported at once (item index and field),
// so the PHP app fixes a whole batch in one go; then the producer stores all of it or none (one Lua call).
import { SIPUP_ERR_JOBS_BATCH_TOO_LARGE, SIPUP_ERR_JOBS_INVALID_PAYLOAD } from '../../errors.js'
import type { PayloadProblem } from './options.js'
import { parseEnqueueOptions, type PayloadError, type RawEnqueueOptions } from './enqueue-options.js'
import type { EnqueueOptions } from './types.js'

/** One job of a batch, parsed: the payload, its JSON text (for the record) and its options. */
export interface BatchItem {
  payload: unknown
  payloadJson: string
  opts: EnqueueOptions
}

const ITEM_KEYS = new Set(['payload', 'idempotencyKey', 'priority', 'delay', 'runAt'])

export function batchError (type: string, problems: PayloadProblem[]): PayloadError {
  const shown = problems.slice(0, 5).map(p => `${p.item !== undefined ? `item ${p.item}: ` : ''}${p.field} ${p.message}`).join('; ')
  const more = problems.length > 5 ? `; and ${problems.length - 5} more (see errors)` : ''
  const err = new SIPUP_ERR_JOBS_INVALID_PAYLOAD(type, shown + more) as PayloadError
  err.problems = problems
  return err
}

/** A query-string or JSON option as the string parseEnqueueOptions reads; undefined when absent. */
function optionText (v: unknown): string | undefined | null {
  if (v === undefined || v === null) return undefined
  if (typeof v === 'string') return v
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  return null
}

/**
 * Parses and checks the batch envelope (not the payload schemas: the producer does that). Throws 413 for too many
 * items, 400 with every problem for a malformed body or items. `defaults` are the query string's options.
 */
export function parseBatch (type: string, body: unknown, maxItems: number, maxPayload: number, defaults: RawEnqueueOptions, now: number): BatchItem[] {
  if (!Array.isArray(body)) {
    throw batchError(type, [{ field: '(body)', message: 'must be a JSON array of {"payload": {...}, "idempotencyKey"?: "..."} objects' }])
  }
  if (body.length === 0) throw batchError(type, [{ field: '(body)', message: 'must hold at least one job' }])
  if (body.length > maxItems) throw new SIPUP_ERR_JOBS_BATCH_TOO_LARGE(body.length, maxItems)
  const problems: PayloadProblem[] = []
  const items: BatchItem[] = new Array(body.length)
  for (let i = 0; i < body.length; i++) {
    const it: unknown = body[i]
    if (typeof it !== 'object' || it === null || Array.isArray(it)) {
      problems.push({ item: i, field: '(item)', message: 'must be an object {"payload": {...}}' })
      continue
    }
    const rec = it as Record<string, unknown>
    for (const k of Object.keys(rec)) {
      if (!ITEM_KEYS.has(k)) problems.push({ item: i, field: k, message: 'is not allowed (payload, idempotencyKey, priority, delay, runAt)' })
    }
    const payload = rec.payload
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      problems.push({ item: i, field: 'payload', message: payload === undefined ? 'is required' : 'must be a JSON object' })
      continue
    }
    const payloadJson = JSON.stringify(payload)
    if (Buffer.byteLength(payloadJson) > maxPayload) {
      problems.push({ item: i, field: 'payload', message: `is larger than ${maxPayload} bytes (jobs.maxPayload)` })
      continue
    }
    const raw: RawEnqueueOptions = { ...defaults }
    let bad = false
    for (const k of ['priority', 'delay', 'runAt', 'idempotencyKey'] as const) {
      const v = optionText(rec[k])
      if (v === null) { problems.push({ item: i, field: k, message: 'must be a string or a number' }); bad = true } else if (v !== undefined) raw[k] = v
    }
    if (bad) continue
    try {
      items[i] = { payload, payloadJson, opts: parseEnqueueOptions(raw, now) }
    } catch (err) {
      const e = err as Error & { code?: string }
      if (e.code !== 'SIPUP_ERR_JOBS_INVALID_OPTION') throw err
      const m = /^([^:]+): (.*)$/.exec(e.message)
      problems.push({ item: i, field: m?.[1] === 'Idempotency-Key' ? 'idempotencyKey' : (m?.[1] ?? '(item)'), message: m?.[2] ?? e.message })
    }
  }
  if (problems.length > 0) throw batchError(type, problems)
  return items
}
