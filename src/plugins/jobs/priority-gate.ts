// Decides which claimed job runs next in one worker process. bee-queue has no priorities: each queue's loop claims
// jobs on its own, and every claimed job waits here for a slot. Slots go to `high` first, then `normal`, then
// `low`, with a floor: while a lower queue has work and loses to a higher one, it earns its `share` per pick, and
// a full credit wins the next slot (low's default 0.05 = at least one slot in 20), so no queue starves.
// Per-type concurrency and rate-limit pauses are honoured in the same pick.
import type { Priority } from './schema.js'

export interface GateOptions {
  concurrency: number
  /** Least share of picks a lower queue gets while a higher one also has work. */
  shares: { normal: number, low: number }
  /** Concurrency of a type (its jobs wait beyond it, and don't block other types). */
  typeLimit: (type: string) => number
  now?: () => number
  setTimer?: (fn: () => void, ms: number) => NodeJS.Timeout
}

/** `busy`: the type is saturated and already has its share of claimed jobs waiting; hand this one back. */
export type Admission = 'granted' | 'closed' | 'busy'

interface Waiter {
  type: string
  resolve: (admission: Admission) => void
}

/** One slot's worth of credit. */
const CREDIT = 1000
const CLASS_INDEX: Readonly<Record<Priority, number>> = { high: 0, normal: 1, low: 2 }

export class PriorityGate {
  readonly #concurrency: number
  readonly #share: readonly number[]
  readonly #typeLimit: (type: string) => number
  readonly #now: () => number
  readonly #setTimer: (fn: () => void, ms: number) => NodeJS.Timeout
  readonly #waiting: Waiter[][] = [[], [], []]
  readonly #credit = [0, 0, 0]
  readonly #typeRunning = new Map<string, number>()
  /** Per priority class: claimed jobs of each type waiting (capped at the type's concurrency, see acquire). */
  readonly #typeWaiting = [new Map<string, number>(), new Map<string, number>(), new Map<string, number>()]
  readonly #blockedUntil = new Map<string, number>()
  #running = 0
  #closed = false
  #timer: NodeJS.Timeout | null = null
  #timerAt = Infinity

  constructor (opts: GateOptions) {
    this.#concurrency = opts.concurrency
    // Whole numbers (per mille): float credits drift, and 5 x 0.2 must make exactly one slot.
    this.#share = [0, Math.round(opts.shares.normal * CREDIT), Math.round(opts.shares.low * CREDIT)]
    this.#typeLimit = opts.typeLimit
    this.#now = opts.now ?? Date.now
    this.#setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms))
  }

  get running (): number {
    return this.#running
  }

  get waiting (): number {
    return this.#waiting[0].length + this.#waiting[1].length + this.#waiting[2].length
  }

  /**
   * Resolves `granted` when the job may run (call release() after), `closed` when the gate closed first, `busy`
   * at once when slots are free but its type can't start now and already has as many claimed jobs of this
   * priority waiting as it may run: bee-queue
   * claims a bounded number of jobs per queue, and a slow type's backlog must not fill that window and hold up
   * every other type of its priority.
   */
  acquire (priority: Priority, type: string): Promise<Admission> {
    if (this.#closed) return Promise.resolve('closed')
    const c = CLASS_INDEX[priority]
    const waitingOfType = this.#typeWaiting[c]
    // Only while slots are free: when every slot is taken, no other type could use the claim window either.
    if (this.#running < this.#concurrency && !this.#runnable(type, this.#now()) && (waitingOfType.get(type) ?? 0) >= this.#typeLimit(type)) {
      return Promise.resolve('busy')
    }
    return new Promise(resolve => {
      this.#waiting[c].push({ type, resolve })
      waitingOfType.set(type, (waitingOfType.get(type) ?? 0) + 1)
      this.#pump()
    })
  }

  release (type: string): void {
    this.#running--
    this.#typeRunning.set(type, (this.#typeRunning.get(type) ?? 1) - 1)
    this.#pump()
  }

  /** A rate limit said wait: no job of `type` starts before `untilMs`. */
  block (type: string, untilMs: number): void {
    this.#blockedUntil.set(type, Math.max(untilMs, this.#blockedUntil.get(type) ?? 0))
    this.#arm(untilMs)
  }

  /** Refuses every waiting and future acquire (they resolve false); running jobs finish and release as usual. */
  close (): void {
    this.#closed = true
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timer = null
    for (const m of this.#typeWaiting) m.clear()
    for (const list of this.#waiting) for (const w of list.splice(0)) w.resolve('closed')
  }

  #runnable (type: string, now: number): boolean {
    if ((this.#typeRunning.get(type) ?? 0) >= this.#typeLimit(type)) return false
    const until = this.#blockedUntil.get(type)
    if (until === undefined) return true
    if (until <= now) { this.#blockedUntil.delete(type); return true }
    return false
  }

  #arm (at: number): void {
    if (this.#closed || at >= this.#timerAt) return
    if (this.#timer !== null) clearTimeout(this.#timer)
    this.#timerAt = at
    this.#timer = this.#setTimer(() => {
      this.#timer = null
      this.#timerAt = Infinity
      this.#pump()
    }, Math.max(1, at - this.#now()))
    this.#timer.unref?.()
  }

  #pump (): void {
    if (this.#closed) return
    const now = this.#now()
    const heads = [-1, -1, -1]
    while (this.#running < this.#concurrency) {
      let classes = 0
      for (let c = 0; c < 3; c++) {
        heads[c] = this.#waiting[c].findIndex(w => this.#runnable(w.type, now))
        if (heads[c] !== -1) classes++
      }
      if (classes === 0) break
      const top = heads.findIndex(h => h !== -1)
      let pick = top
      if (classes > 1) {
        let best = -1
        for (let c = top + 1; c < 3; c++) {
          if (heads[c] === -1) { this.#credit[c] = 0; continue }
          this.#credit[c] += this.#share[c]
          if (this.#credit[c] >= CREDIT && (best === -1 || this.#credit[c] >= this.#credit[best])) best = c
        }
        if (best !== -1) { pick = best; this.#credit[best] -= CREDIT }
      } else {
        for (let c = 0; c < 3; c++) if (c !== top) this.#credit[c] = 0
      }
      const [w] = this.#waiting[pick].splice(heads[pick], 1)
      this.#running++
      this.#typeRunning.set(w.type, (this.#typeRunning.get(w.type) ?? 0) + 1)
      this.#typeWaiting[pick].set(w.type, (this.#typeWaiting[pick].get(w.type) ?? 1) - 1)
      w.resolve('granted')
    }
    // Jobs held back only by a rate-limit pause: wake up when the earliest pause ends.
    if (this.#running < this.#concurrency && this.waiting > 0) {
      let earliest = Infinity
      for (const until of this.#blockedUntil.values()) earliest = Math.min(earliest, until)
      if (earliest !== Infinity) this.#arm(earliest)
    }
  }
}
