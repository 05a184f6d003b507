// bee-queue 2.0.0's job record (lib/job.js toData/fromData): `{data, options, status, progress}` as JSON in the
// queue's `jobs` hash. The engine writes it itself (scripts.ts `enqueue`) and reads it for status and retries.
/** Name of the backoff strategy the workers register on their queues (backoff.ts). */
export const BACKOFF_STRATEGY = 'sipup'

/** What the engine keeps in bee-queue's `job.data`. */
export interface JobData {
  type: string
  /** Runs allowed (the type's `attempts` when it was enqueued). */
  attempts: number
  payload: unknown
}

export interface BeeOptions {
  timestamp: number
  stacktraces: string[]
  retries: number
  backoff: { strategy: string, delay: number }
  delay?: number
}

export interface BeeRecord {
  data: JobData
  options: BeeOptions
  status: 'created' | 'succeeded' | 'failed' | 'retrying'
  progress: unknown
}

/**
 * The record as bee-queue's toData() would write it, built around the payload's JSON text as received (it was
 * parsed, so it is valid JSON; re-serialising it would only cost time).
 */
export function encodeRecord (type: string, attempts: number, payloadJson: string, backoffMs: number, timestamp: number, runAt: number): string {
  const delay = runAt > 0 ? `,"delay":${runAt}` : ''
  return `{"data":{"type":${JSON.stringify(type)},"attempts":${attempts},"payload":${payloadJson}},` +
    `"options":{"timestamp":${timestamp},"stacktraces":[],"retries":${attempts - 1},` +
    `"backoff":{"strategy":"${BACKOFF_STRATEGY}","delay":${backoffMs}}${delay}},"status":"created","progress":0}`
}

export function decodeRecord (raw: string): BeeRecord {
  return JSON.parse(raw) as BeeRecord
}

/** A failed job put back with its full retry budget (what "retry" from the dead letter means). */
export function resetForRetry (record: BeeRecord): string {
  const options: BeeOptions = { ...record.options, retries: Math.max(0, record.data.attempts - 1) }
  return JSON.stringify({ data: record.data, options, status: 'created', progress: 0 })
}
