// bench/capacity's settle gate: the measured window opens only once the origin's backlog from the users' arrival has
// drained. 20,000 users arriving over --arrive make a storm of first visits (logins, dashboards, cache fills) that
// the shop works off for seconds after the ramp; a window that opens on its tail measures the arrival, not the load
// the users keep making (issue 15's misses at 20,000 users were exactly that). Read from the processes' once-a-second
// report lines: the sidecar's `stats` (its guard's queue) and the shop's `shop <running> <waiting> <requests>`.
import { onLines, type Started } from './processes.js'

/** Seconds in a row the backlog must stay drained. */
export const SETTLED_SECONDS = 3

export interface BacklogLimits {
  /** Requests the guard may hold queued and still count as drained: one round of its slots (0 without a guard). */
  queued: number
  /** Requests the shop may have waiting for a PHP child: one per child. */
  waiting: number
}

export class BacklogGate {
  readonly #limits: BacklogLimits
  #queued = 0
  /** Each of the shop's last seconds, whether it and the guard's latest queue were within the limits. */
  readonly #seconds: boolean[] = []

  constructor (sidecar: Started, shop: Started, limits: BacklogLimits) {
    this.#limits = limits
    onLines(sidecar, line => {
      if (!line.startsWith('stats ')) return
      const v = JSON.parse(line.slice(6)) as Record<string, number>
      let q = 0
      for (const [k, n] of Object.entries(v)) if (k.startsWith('sipup_origin_queue_depth{')) q += n
      this.#queued = q
    })
    onLines(shop, line => {
      const m = /^shop \d+ (\d+) \d+$/.exec(line)
      if (m === null) return
      this.#seconds.push(Number(m[1]) <= this.#limits.waiting && this.#queued <= this.#limits.queued)
      if (this.#seconds.length > SETTLED_SECONDS) this.#seconds.shift()
    })
  }

  /** The last SETTLED_SECONDS seconds were all drained. */
  settled (): boolean {
    return this.#seconds.length === SETTLED_SECONDS && this.#seconds.every(Boolean)
  }
}
