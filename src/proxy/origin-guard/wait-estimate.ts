// How long a request joining a lane would wait for an origin slot: what decides, on arrival, between queueing it and
// shedding it at once (a 503 in milliseconds rather than one after upstream.queue.timeout). Two views, the larger wins:
// - the model: the origin sends `limit` requests per slot time; a lane gets what the more important lanes' arrivals
//   leave (strict priority), and at least its weighted share among the lanes that wait (the round robin guarantees
//   that much), less what the less important lanes that wait take of their share;
// - the lane's own measured pace: the time between two of its requests leaving for the origin while it had a queue,
//   and the next one at least as far off as the time since the last one left (a stalled origin or event loop shows
//   there before any answer comes back).
// The slot time rises fast and falls slowly: an origin slowing down must be believed at once, a fast answer or two
// mean little (issue 15: an even moving average lagged a slowing origin, and the admitted requests timed out).
import { LANES, type Lane } from './lane-queue.js'

/** Weight of an answer that took longer than the slot time, and of one that took less. */
export const SLOT_RISE = 0.3
export const SLOT_FALL = 0.05
/** Time constant of the lanes' arrival rates (ms): about the last second of admitted requests. */
export const RATE_TAU_MS = 1000
/** Weight of the newest gap between two of a lane's departures in its moving average. */
export const GAP_EWMA = 0.2

const N = LANES.length

export class WaitEstimate {
  readonly #weight: Float64Array
  #slotMs = 0
  /** Admitted requests per ms, decayed since #rateAt. */
  readonly #rate = new Float64Array(N)
  readonly #rateAt = new Float64Array(N)
  /** When the lane's rate started counting (its first admitted request): a young count is scaled up, not read as
   * a low rate. */
  readonly #rateFrom = new Float64Array(N).fill(-1)
  /** Mean ms between two departures of a lane while it had a queue; 0 until measured. */
  readonly #gap = new Float64Array(N)
  /** When the lane's last request left, or its queue started; -1 while its queue is empty. */
  readonly #since = new Float64Array(N).fill(-1)

  /** `weights`: the lanes' round-robin weights (as the queue normalised them). */
  constructor (weights: readonly number[]) {
    this.#weight = Float64Array.from(LANES, (_, i) => Math.max(1, Math.floor(weights[i] ?? 1)))
  }

  /** Time an origin slot stays held (send to answer read), ms; 0 until one came back. */
  get slotMs (): number { return this.#slotMs }

  /** An origin request finished after `rttMs`. */
  answered (rttMs: number): void {
    const s = this.#slotMs
    this.#slotMs = s === 0 ? rttMs : s + (rttMs > s ? SLOT_RISE : SLOT_FALL) * (rttMs - s)
  }

  /** A request joined lane `lane`'s queue; `first`: the queue was empty. */
  queued (lane: Lane, first: boolean, now: number): void {
    if (this.#rateFrom[lane] < 0) this.#rateFrom[lane] = now
    this.#rate[lane] = this.#decayed(lane, now) + 1 / RATE_TAU_MS
    this.#rateAt[lane] = now
    if (first) this.#since[lane] = now
  }

  /** A request of lane `lane` left its queue for the origin; `more`: others still wait in that lane. */
  sent (lane: Lane, more: boolean, now: number): void {
    const since = this.#since[lane]
    if (since >= 0) {
      const g = now - since
      this.#gap[lane] = this.#gap[lane] === 0 ? g : this.#gap[lane] + GAP_EWMA * (g - this.#gap[lane])
    }
    this.#since[lane] = more ? now : -1
  }

  /** Lane `lane`'s queue emptied without a departure (timeouts, clients gone). */
  emptied (lane: Lane): void { this.#since[lane] = -1 }

  /** Admitted requests per ms in `lane`, about the last RATE_TAU_MS. */
  rate (lane: Lane, now: number): number {
    const r = this.#decayed(lane, now)
    const age = now - this.#rateFrom[lane]
    // Counting since less than a few time constants: the count has not filled up yet.
    return r === 0 || age >= 3 * RATE_TAU_MS ? r : r / (1 - Math.exp(-Math.max(age, 1) / RATE_TAU_MS))
  }

  #decayed (lane: Lane, now: number): number {
    const r = this.#rate[lane]
    return r === 0 ? 0 : r * Math.exp(-(now - this.#rateAt[lane]) / RATE_TAU_MS)
  }

  /** Expected ms until the request at `position` (0: the head) of `lane` gets a slot, with `depth(l)` waiting in
   * each lane and `limit` slots; 0 while nothing is known yet (no answer came back). `stalled`: count the time since
   * the lane's last departure as a sign of a stall (not from a timer: after a stall of the sidecar's own event loop
   * the timers run before the answers that came in meanwhile are read, so a queue looks stuck that isn't). */
  waitMs (lane: Lane, position: number, depth: (l: Lane) => number, limit: number, now: number, stalled = true): number {
    if (this.#slotMs === 0) return 0
    const pace = Math.max(1, limit) / this.#slotMs
    const w = this.#weight
    // The round's weight: this lane's and the other lanes' that wait.
    let round = w[lane]
    for (let l = 0 as Lane; l < N; l = (l + 1) as Lane) if (l !== lane && depth(l) > 0) round += w[l]
    // Strict priority: everything queued in the more important lanes goes first, and their arrivals take their
    // rate off the pace; the less important lanes that wait or keep arriving take their share of it at most (their
    // next request is a queue's head, and the round robin serves it before this one's turn comes again).
    let ahead = position
    let left = pace
    for (let l = 0 as Lane; l < N; l = (l + 1) as Lane) {
      const rate = this.rate(l, now)
      if (l < lane) {
        ahead += depth(l)
        left -= rate
      } else if (l > lane && (rate > 0 || depth(l) > 0)) {
        left -= Math.min(rate, pace * w[l] / (depth(l) > 0 ? round : round + w[l]))
      }
    }
    const priority = left > 0 ? (ahead + 1) / left : Infinity
    // The round robin: the lane's weighted share, whatever the others do.
    const share = (position + 1) / (pace * w[lane] / round)
    let wait = Math.min(priority, share)
    const since = this.#since[lane]
    if (since >= 0 && this.#gap[lane] > 0) {
      // The next departure is at least as far off as the last one was; the ones after it at the usual pace.
      const next = stalled ? Math.max(this.#gap[lane], now - since) : this.#gap[lane]
      wait = Math.max(wait, next + position * this.#gap[lane])
    }
    return wait
  }
}
