// maxConcurrent: auto: finds the origin's concurrency knee from its latency, after Netflix's concurrency-limits
// (Gradient2) and Envoy's adaptive concurrency filter. Past the knee (php-fpm out of children) requests queue inside
// PHP and latency grows with concurrency; below it latency stays at the no-load time. Per window of samples:
//   gradient = clamp(TOLERANCE * baseline / windowRtt, 0.5, 1)
//   limit    = limit * (1 - SMOOTHING) + (limit * gradient + sqrt(limit)) * SMOOTHING,   within [min, max]
// sqrt(limit) is the headroom that keeps probing upward. The baseline (no-load latency) is measured as Envoy does:
// now and then one window runs at the `min` limit, so a limit that sits above the knee can't teach itself that the
// queued latency is normal; between probes the lowest window lowers it further.
// https://github.com/Netflix/concurrency-limits (Gradient2Limit),
// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/adaptive_concurrency_filter
import type { ConcurrencyLimit } from './origin-guard.js'

/** Latency may grow this much over the no-load time before the limit shrinks. */
export const TOLERANCE = 1.25
/** Share of each window's new estimate taken into the limit (the rest is the old limit): damps oscillation. */
export const SMOOTHING = 0.2
/** Samples per window (a window also closes after WINDOW_MS with at least one sample). */
export const WINDOW_SAMPLES = 20
export const WINDOW_MS = 500
/** Windows between two baseline probes at the `min` limit (the first window is one). */
export const PROBE_EVERY = 200
/** The first probes come sooner: a cold start (new connections, cold code) inflates the first measurement. */
export const WARMUP_PROBES = [10, 30]
/** A probe that has had no usable sample this long since its first one (every one overlapped a stall of the
 * sidecar's loop) gives up and keeps the old baseline: the limit must not sit at `min` for as long as the machine is
 * starved of CPU. */
export const PROBE_GIVE_UP_MS = 5000
/** A failed origin request (reset, timeout) shrinks the limit by this factor, at most once per window. */
export const FAILURE_BACKOFF = 0.9

/** An event-loop stall longer than this (beyond the watcher's own interval) marks the samples it overlapped. */
export const STALL_MS = 20
const STALL_TICK_MS = 10

/** When the sidecar's own event loop last stalled: a sample whose request overlapped a stall measured the
 * sidecar's lag (the answer sat unread in the socket), not the origin's latency, so it is left out. */
export interface StallClock {
  /** End time (same clock as `now`) of the last stall seen, -Infinity when none. */
  readonly lastStallEnd: number
}

/** Watches the event loop with an unref'd 10 ms timer: a tick later than STALL_MS past its due time is a stall. */
export class LoopStallWatcher implements StallClock {
  lastStallEnd = -Infinity
  readonly #timer: NodeJS.Timeout

  constructor (now: () => number = () => performance.now()) {
    let last = now()
    this.#timer = setInterval(() => {
      const t = now()
      if (t - last - STALL_TICK_MS > STALL_MS) this.lastStallEnd = t
      last = t
    }, STALL_TICK_MS)
    this.#timer.unref()
  }

  close (): void { clearInterval(this.#timer) }
}

export interface AdaptiveBounds {
  min: number
  max: number
  initial: number
}

export class AdaptiveLimit implements ConcurrencyLimit {
  readonly #min: number
  readonly #max: number
  readonly #now: () => number
  #limit: number
  #baseline = Infinity
  #sum = 0
  #count = 0
  #busy = false
  #failed = false
  #windowStart: number
  /** Windows until the next probe; 0 while probing. */
  #untilProbe = 0
  #probes = 0
  /** When the running probe was first offered a sample (NaN: not yet). */
  #probeSince = Number.NaN
  readonly #stalls: StallClock | null

  constructor (bounds: AdaptiveBounds, now: () => number = () => performance.now(), stalls: StallClock | null = null) {
    this.#stalls = stalls
    this.#min = bounds.min
    this.#max = bounds.max
    this.#limit = Math.min(bounds.max, Math.max(bounds.min, bounds.initial))
    this.#now = now
    this.#windowStart = now()
  }

  /** Whole requests: the guard compares inflight against it. */
  get current (): number { return this.#untilProbe === 0 ? this.#min : Math.floor(this.#limit) }

  /** The estimate, also while a probe runs at `min`. */
  get reported (): number { return Math.floor(this.#limit) }

  /** The no-load latency estimate (ms), Infinity before the first probe. */
  get baseline (): number { return this.#baseline }

  sample (rttMs: number, inflightAtSend: number, ok: boolean): void {
    const now = this.#now()
    let probing = this.#untilProbe === 0
    if (probing) {
      if (Number.isNaN(this.#probeSince)) this.#probeSince = now
      else if (this.#count === 0 && !this.#failed && now - this.#probeSince > PROBE_GIVE_UP_MS) {
        this.#endProbe()
        probing = false
      }
    }
    // A probe measures only requests sent at the probe's concurrency, not the ones still out from before it.
    if (probing && inflightAtSend > this.#min) return
    // A window starts at its first sample, so a limit created (or left) idle doesn't close its next window on one
    // cold request.
    if (this.#count === 0 && !this.#failed) this.#windowStart = now
    if (!ok) this.#failed = true
    else if (this.#stalls !== null && this.#stalls.lastStallEnd > now - rttMs) {
      // The request was out while the sidecar's loop stalled: its RTT includes that stall. Not a sample.
      return
    } else {
      this.#sum += rttMs
      this.#count++
    }
    // Only a window in which the origin was kept busy says anything about raising the limit (an idle site at
    // 3 requests in flight must not grow it to the maximum).
    if (inflightAtSend * 2 >= this.#limit) this.#busy = true
    if (this.#count + (this.#failed ? 1 : 0) < WINDOW_SAMPLES && now - this.#windowStart < WINDOW_MS) return
    if (probing) this.#closeProbe()
    else this.#close()
    this.#sum = 0
    this.#count = 0
    this.#busy = false
    this.#failed = false
    this.#windowStart = now
  }

  #closeProbe (): void {
    if (this.#count === 0) return
    this.#baseline = this.#sum / this.#count
    this.#untilProbe = WARMUP_PROBES[this.#probes++] ?? PROBE_EVERY
    this.#probeSince = Number.NaN
  }

  /** Ends a probe that could not measure: the old baseline stays, and without one the next probe comes soon. */
  #endProbe (): void {
    this.#untilProbe = this.#baseline === Infinity ? WARMUP_PROBES[0] : PROBE_EVERY
    this.#probeSince = Number.NaN
  }

  #close (): void {
    this.#untilProbe--
    let limit = this.#limit
    if (this.#failed) {
      limit *= FAILURE_BACKOFF
    } else if (this.#count > 0) {
      const rtt = this.#sum / this.#count
      if (rtt < this.#baseline) this.#baseline = rtt
      const gradient = Math.max(0.5, Math.min(1, TOLERANCE * this.#baseline / rtt))
      const estimate = limit * gradient + Math.sqrt(limit)
      // Growth needs demand; shrinking doesn't.
      if (estimate < limit || this.#busy) limit = limit * (1 - SMOOTHING) + estimate * SMOOTHING
    }
    this.#limit = Math.min(this.#max, Math.max(this.#min, limit))
  }
}
