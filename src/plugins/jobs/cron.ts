// Recurring schedules. Every worker process runs the same timers; each tick is claimed fleet-wide (ClaimFn), and
// the job it enqueues carries the idempotency key `cron:<name>:<tick>` as a second guard, so a tick runs exactly
// once however many workers and instances run. `<base>:x:cron:<name>:last` remembers the last tick run: a worker
// starting after ticks were missed while none ran enqueues the latest missed one once (`catchUp: one`).
import type { Redis } from 'ioredis'
import type { JobKeys } from './keys.js'
import type { ScheduleParams } from './options.js'
import type { Producer } from './producer.js'
import type { ClaimFn, JobsLogger } from './types.js'

/** Longest single timer: re-armed at least this often, so clock changes and long sleeps can't skew it far. */
const MAX_TIMER_MS = 60_000
/** A tick whose claim or enqueue failed (Redis down) is tried again this often until the next tick is due. */
const RETRY_MS = 1000

const SET_IF_LATER = `local c = tonumber(redis.call('get', KEYS[1]) or '0')
if tonumber(ARGV[1]) > c then redis.call('set', KEYS[1], ARGV[1]) end
return 1`

export interface CronOptions {
  schedules: readonly ScheduleParams[]
  producer: Producer
  claim: ClaimFn
  client: Redis
  keys: JobKeys
  log: JobsLogger
  now?: () => number
  setTimer?: (fn: () => void, ms: number) => NodeJS.Timeout
}

interface State {
  s: ScheduleParams
  /** Next tick not yet run (epoch ms). */
  next: number
  /** A due tick still to run (its claim or enqueue failed), or 0. */
  pending: number
}

/** How long a tick's claim lives: longer than any clock skew between instances, shorter than a day's worth of keys. */
export function claimTtl (s: ScheduleParams, tick: number): number {
  const after = s.cron.nextRun(new Date(tick))?.getTime() ?? tick + 86_400_000
  return Math.min(25 * 3_600_000, Math.max(10_000, 3 * (after - tick)))
}

export class CronScheduler {
  readonly #o: CronOptions
  readonly #now: () => number
  readonly #setTimer: (fn: () => void, ms: number) => NodeJS.Timeout
  readonly #states: State[]
  readonly #held = new Set<string>()
  #timer: NodeJS.Timeout | null = null
  #stopped = false
  #busy: Promise<void> = Promise.resolve()

  constructor (opts: CronOptions) {
    this.#o = opts
    this.#now = opts.now ?? Date.now
    this.#setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms))
    const now = this.#now()
    this.#states = opts.schedules.map(s => ({ s, next: s.cron.nextRun(new Date(now))?.getTime() ?? Infinity, pending: 0 }))
  }

  /** Catches up missed ticks (per `catchUp`), then runs each tick as it comes. */
  async start (): Promise<void> {
    if (this.#states.length === 0) return
    await this.catchUp()
    this.#arm()
  }

  stop (): Promise<void> {
    this.#stopped = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    return this.#busy
  }

  /** The latest tick before now, once, for schedules whose last run is older (none recorded = nothing missed). */
  async catchUp (): Promise<void> {
    const now = this.#now()
    await Promise.all(this.#states.map(async st => {
      if (st.s.catchUp !== 'one') return
      const prev = st.s.cron.previousRuns(1, new Date(now))[0]?.getTime()
      if (prev === undefined) return
      try {
        const last = await this.#o.client.get(this.#o.keys.cronLast(st.s.name))
        if (last === null || Number(last) >= prev) return
      } catch {
        return
      }
      this.#o.log.info({ schedule: st.s.name, tick: new Date(prev).toISOString() }, 'jobs: running a tick missed while no worker ran')
      if (!await this.#fire(st.s, prev)) st.pending = prev
    }))
  }

  /** Runs every tick due at `now` (only the latest one when several are: a frozen process doesn't replay them all). */
  async runDue (now = this.#now()): Promise<void> {
    await Promise.all(this.#states.map(async st => {
      let due = st.pending
      while (st.next <= now) {
        due = st.next
        st.next = st.s.cron.nextRun(new Date(st.next))?.getTime() ?? Infinity
      }
      if (due === 0) return
      st.pending = await this.#fire(st.s, due) ? 0 : due
    }))
  }

  /** True when the tick is done here or by another worker; false to try again. */
  async #fire (s: ScheduleParams, tick: number): Promise<boolean> {
    const o = this.#o
    const key = o.keys.cronTick(s.name, tick)
    try {
      // A claim this worker won but whose enqueue failed is kept: the retry must not lose to its own claim.
      if (!this.#held.has(key)) {
        if (!await o.claim(key, claimTtl(s, tick))) return true
        this.#held.add(key)
      }
      const r = await o.producer.add(s.type, s.payload, { idempotencyKey: `cron:${s.name}:${tick}` })
      this.#held.delete(key)
      await o.client.eval(SET_IF_LATER, 1, o.keys.cronLast(s.name), tick)
      o.log.info({ schedule: s.name, job: r.id, tick: new Date(tick).toISOString() }, 'jobs: schedule enqueued its job')
      return true
    } catch (err) {
      o.log.warn({ schedule: s.name, tick: new Date(tick).toISOString(), err: (err as Error).message }, 'jobs: schedule tick failed; retrying')
      return false
    }
  }

  #arm (): void {
    if (this.#stopped) return
    const now = this.#now()
    let at = Infinity
    for (const st of this.#states) at = Math.min(at, st.pending > 0 ? now + RETRY_MS : st.next)
    if (at === Infinity) return
    this.#timer = this.#setTimer(() => {
      this.#timer = null
      this.#busy = this.runDue().finally(() => { this.#arm() })
    }, Math.min(MAX_TIMER_MS, Math.max(0, at - now)))
    this.#timer.unref?.()
  }
}
