// Every Redis key the engine touches, in one place. bee-queue owns `<base>:<queue>:*` (its own layout: jobs hash,
// waiting/active lists, delayed zset, succeeded/failed sets, stall bookkeeping); the engine's own indexes sit
// beside them under `<base>:x:*`, where no queue name can reach.
import { PRIORITIES, type Priority } from './schema.js'

/** The job id's first letter names its queue, so any id leads to its record in one step. */
export const ID_LETTER: Readonly<Record<Priority, string>> = { high: 'h', normal: 'n', low: 'l' }
const LETTER_QUEUE: Readonly<Record<string, Priority>> = { h: 'high', n: 'normal', l: 'low' }
const ID_RE = /^[hnl][1-9][0-9]{0,15}$/

export function queueOfId (id: string): Priority | null {
  return ID_RE.test(id) ? LETTER_QUEUE[id[0]] : null
}

export interface QueueKeys {
  jobs: string
  waiting: string
  active: string
  delayed: string
  succeeded: string
  failed: string
  stalling: string
  earlierDelayed: string
}

export class JobKeys {
  /** bee-queue's `prefix` setting: it adds `:<queue>:` itself. */
  readonly beePrefix: string
  readonly queues: Readonly<Record<Priority, QueueKeys>>
  /** Counter the job ids are drawn from (shared by the three queues, so ids are unique across them). */
  readonly seq: string
  /** Dead-letter index: job id scored by failure time (bee-queue's failed set is unordered). */
  readonly dead: string
  /** Finished-job index: job id scored by finish time, for retention. */
  readonly done: string
  /** Runs started per job id (stall accounting and the attempt count). */
  readonly runs: string
  /** Result or last error per job id (JSON). */
  readonly outcome: string
  /** Last progress per job id (JSON). */
  readonly progress: string
  /** Workers' heartbeats: worker id scored by last beat. */
  readonly workers: string
  readonly #base: string

  constructor (keyPrefix: string) {
    this.#base = `${keyPrefix}jobs`
    this.beePrefix = this.#base
    const q = (name: Priority): QueueKeys => {
      const p = `${this.#base}:${name}:`
      return {
        jobs: `${p}jobs`,
        waiting: `${p}waiting`,
        active: `${p}active`,
        delayed: `${p}delayed`,
        succeeded: `${p}succeeded`,
        failed: `${p}failed`,
        stalling: `${p}stalling`,
        earlierDelayed: `${p}earlierDelayed`
      }
    }
    this.queues = Object.fromEntries(PRIORITIES.map(p => [p, q(p)])) as Record<Priority, QueueKeys>
    const x = `${this.#base}:x:`
    this.seq = `${x}seq`
    this.dead = `${x}dead`
    this.done = `${x}done`
    this.runs = `${x}runs`
    this.outcome = `${x}outcome`
    this.progress = `${x}progress`
    this.workers = `${x}workers`
  }

  idempotency (type: string, keyHash: string): string {
    return `${this.#base}:x:idem:${type}:${keyHash}`
  }

  signature (sig: string): string {
    return `${this.#base}:x:sig:${sig}`
  }

  rate (type: string): string {
    return `${this.#base}:x:rate:${type}`
  }

  cronTick (schedule: string, tickMs: number): string {
    return `${this.#base}:x:cron:${schedule}:${tickMs}`
  }

  cronLast (schedule: string): string {
    return `${this.#base}:x:cron:${schedule}:last`
  }

  /** Claim for a periodic chore (retention sweep) so one worker does it per period. */
  chore (name: string, slot: number): string {
    return `${this.#base}:x:chore:${name}:${slot}`
  }

  /** Every key of this engine (tests and `jobs` maintenance clean up with it). */
  get pattern (): string {
    return `${this.#base}:*`
  }
}
