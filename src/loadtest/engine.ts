// Drives one run against one target in one of three load models and returns what the Recorder collected.
// - closed: N connections, each sends its next request when the previous answer is in (saturation test);
// - rate:   requests are due at a constant arrival rate and go out on the first free connection; latency counts
//           from the due time, so a stalled server shows up in the percentiles (coordinated-omission correction);
// - users:  N virtual users, one keep-alive connection each, each due again a think time after its last due time.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { LoadProfile } from './load-profile.js'
import { Recorder, type Sample } from './recorder.js'
import type { RequestPlan } from './request-plan.js'
import { VirtualUser, emptyWindow, type ConnectionStats, type WindowConnections } from './virtual-user.js'

export type LoadModel = 'closed' | 'rate' | 'users'

export interface EngineOptions {
  origin: string
  model: LoadModel
  /** Level over time: connections (closed), requests/s (rate) or users (users). */
  profile: LoadProfile
  /** Connection pool size in the rate model. */
  connections: number
  /** Mean think time of a virtual user; each draw is uniform in [0.5, 1.5] x mean. */
  thinkMs: number
  timeoutMs: number
  /** Latency from the intended send time (rate and users models). */
  correct: boolean
  /** Users model: after the warm-up, wait up to this many ms for every user to hold an open connection before the
   * measured window opens (it then lasts as long as planned). 0: the window opens on the clock, connected or not. */
  settleMs?: number
  /** Users model with settleMs: the window also waits, within the same settleMs, until this says the target has
   * settled (a bench's check that the arrival's backlog at the origin has drained), so the window measures the
   * steady load rather than the tail of the crowd's first visits. Asked once a tick after the warm-up. */
  settled?: () => boolean
  /** Source addresses for the connections, in turn (spreads users over loopback IPs and ephemeral port ranges). */
  localAddresses?: (i: number) => string | undefined
  /** Users of this run are numbered from userOffset + 1 (and take source addresses from userOffset on): a part of a
   * load split over processes (split.ts) runs its own users, not the first part's again. @default 0 */
  userOffset?: number
  onProgress?: (p: Progress) => void
  /** The measured window opens ('start') and closes ('end'): for observers that sample around it (a listen queue). */
  onWindow?: (phase: 'start' | 'end') => void
  signal?: AbortSignal
}

export interface Progress {
  elapsedMs: number
  totalMs: number
  measuring: boolean
  level: number
  lastSecond: { completed: number, errors: number }
  open: number
  /** Connections opened since the start (all users, every reconnect). */
  connects: number
  inFlight: number
}

export interface RunOutcome {
  recorder: Recorder
  /** Length of the measured window in ms. */
  measuredMs: number
  connections: RunConnections
  /** Requests still waiting to be sent or answered when the drain deadline passed. */
  unfinished: number
  loadGenerator: LoadGeneratorFigures
}

export interface LoadGeneratorFigures {
  /** CPU over the measured window, % of one core; of a split load (split.ts) the busiest process's. */
  cpuPercent: number
  /** Event-loop delay p99 over the window; of a split load the worst process's. */
  eventLoopDelayP99Ms: number
  /** Processes the load ran in (absent: one). */
  processes?: number
}

export interface RunConnections {
  open: number
  connects: number
  connectErrors: number
  minOpen: number
  maxOpen: number
  /** Users (users model), connections (closed) or the pool (rate) at the final level: one connection each. */
  users: number
  window: WindowConnections
  /** With settleMs: how long after the warm-up the window waited for every user's connection, and how many users
   * had none when it opened (> 0: settleMs ran out). */
  settle?: Settle
}

/** How the window's opening waited after the warm-up (users model with settleMs). */
export interface Settle {
  waitedMs: number
  /** Users without a connection when it opened (> 0: settleMs ran out). */
  unconnected: number
  /** With EngineOptions.settled: 'settled' when it said so in time, 'timed-out' when settleMs ran out first. */
  gate?: 'settled' | 'timed-out'
}

const TICK_MS = 100

export async function runLoad (plan: RequestPlan, opts: EngineOptions): Promise<RunOutcome> {
  return new Engine(plan, opts).run()
}

class Engine {
  readonly #plan: RequestPlan
  readonly #o: EngineOptions
  readonly #users: VirtualUser[] = []
  readonly #stats: ConnectionStats = { open: 0, connects: 0, connectErrors: 0, measuring: false, window: emptyWindow() }
  readonly #t0 = performance.now()
  readonly #recorder: Recorder
  #endAt: number
  readonly #settleMs: number
  #settle: Settle | undefined = undefined
  #inFlight = 0
  #running = true
  #lastCompleted = 0
  #lastErrors = 0
  #minOpen = Number.POSITIVE_INFINITY
  #maxOpen = 0
  // rate model
  readonly #queue: number[] = []
  #queueHead = 0
  readonly #idle: VirtualUser[] = []
  #nextDue = 0
  // users model
  readonly #timers = new Map<VirtualUser, NodeJS.Timeout>()
  #allCompleted = 0
  #allErrors = 0
  readonly #onSample = (s: Sample): void => {
    this.#allCompleted++
    if (!s.ok) this.#allErrors++
    this.#recorder.record(s)
  }

  constructor (plan: RequestPlan, opts: EngineOptions) {
    this.#plan = plan
    this.#o = opts
    this.#settleMs = opts.model === 'users' ? Math.max(0, opts.settleMs ?? 0) : 0
    // Settling: the window's start (and so its end) is known only once every user holds a connection.
    this.#recorder = new Recorder(this.#settleMs > 0 ? Number.POSITIVE_INFINITY : this.#t0 + opts.profile.warmupMs, opts.correct)
    this.#endAt = this.#settleMs > 0 ? Number.POSITIVE_INFINITY : this.#t0 + opts.profile.totalMs
    this.#nextDue = this.#t0
  }

  async run (): Promise<RunOutcome> {
    const o = this.#o
    const lag = monitorEventLoopDelay({ resolution: 10 })
    let cpuStart: NodeJS.CpuUsage | null = null
    let cpuFromWall = 0
    let windowOpened: ((at: number) => void) | null = null
    let gate: Settle['gate']
    const openWindow = (): void => {
      const now = performance.now()
      if (this.#settleMs > 0) {
        this.#recorder.openWindow(now)
        this.#endAt = now + o.profile.totalMs - o.profile.warmupMs
        this.#settle = { waitedMs: now - this.#t0 - o.profile.warmupMs, unconnected: Math.max(0, this.#target(now) - this.#stats.open), ...(gate === undefined ? {} : { gate }) }
      }
      this.#stats.measuring = true
      o.onWindow?.('start')
      lag.enable()
      cpuStart = process.cpuUsage()
      cpuFromWall = now
      windowOpened?.(now)
    }
    let settleTimer: NodeJS.Timeout | null = null
    const settleDeadline = this.#t0 + o.profile.warmupMs + this.#settleMs
    const trySettle = (): void => {
      const now = performance.now()
      const connected = this.#stats.open >= this.#target(now)
      // Asked only once connected: the gate's answer is about the load every user makes.
      const settled = connected && (o.settled?.() ?? true)
      if (settled || now >= settleDeadline) {
        if (o.settled !== undefined) gate = settled ? 'settled' : 'timed-out'
        openWindow()
      } else {
        settleTimer = setTimeout(trySettle, TICK_MS)
      }
    }
    const measureStart = setTimeout(this.#settleMs > 0 ? trySettle : openWindow, o.profile.warmupMs)

    let rateTimer: NodeJS.Timeout | null = null
    if (o.model === 'rate') {
      for (let i = 0; i < o.connections; i++) this.#idle.push(this.#newUser())
      const pump = (): void => {
        this.#generateDue()
        this.#dispatchQueued()
        if (this.#running) rateTimer = setTimeout(pump, 1)
      }
      pump()
    }
    this.#supervise()
    const supervisor = setInterval(() => this.#supervise(), TICK_MS)
    const progress = setInterval(() => this.#progress(), 1000)

    await new Promise<void>(resolve => {
      let endTimer: NodeJS.Timeout | null = null
      const stop = (): void => { if (endTimer !== null) clearTimeout(endTimer); resolve() }
      if (this.#settleMs === 0) endTimer = setTimeout(stop, o.profile.totalMs)
      else windowOpened = at => { endTimer = setTimeout(stop, this.#endAt - at) }
      o.signal?.addEventListener('abort', stop, { once: true })
    })
    if (settleTimer !== null) clearTimeout(settleTimer)
    const measuredEnd = Math.min(performance.now(), this.#endAt)
    this.#recorder.closeWindow(measuredEnd)
    this.#stats.measuring = false
    // Only a window that opened closes (an abort during the warm-up has none).
    if (cpuStart !== null) o.onWindow?.('end')
    const cpu = cpuStart === null ? null : process.cpuUsage(cpuStart)
    const cpuWall = performance.now() - cpuFromWall
    lag.disable()
    clearTimeout(measureStart)
    this.#running = false
    clearInterval(supervisor)
    clearInterval(progress)
    if (rateTimer !== null) clearTimeout(rateTimer)
    for (const t of this.#timers.values()) clearTimeout(t)

    // Let the requests already due finish, up to the request timeout.
    const unfinished = await this.#drain(o.timeoutMs + 1000)
    await Promise.all(this.#users.map(u => u.close()))

    return {
      recorder: this.#recorder,
      measuredMs: Math.max(1, measuredEnd - this.#recorder.from),
      connections: {
        open: this.#stats.open,
        connects: this.#stats.connects,
        connectErrors: this.#stats.connectErrors,
        minOpen: Number.isFinite(this.#minOpen) ? this.#minOpen : 0,
        maxOpen: this.#maxOpen,
        users: this.#o.model === 'rate' ? this.#o.connections : Math.round(this.#o.profile.level(this.#o.profile.totalMs)),
        window: this.#stats.window,
        ...(this.#settle === undefined ? {} : { settle: this.#settle })
      },
      unfinished,
      loadGenerator: {
        cpuPercent: cpu === null || cpuWall <= 0 ? 0 : 100 * (cpu.user + cpu.system) / 1000 / cpuWall,
        eventLoopDelayP99Ms: lag.count === 0 ? 0 : lag.percentile(99) / 1e6
      }
    }
  }

  #newUser (): VirtualUser {
    const i = this.#users.length + (this.#o.userOffset ?? 0)
    const user = new VirtualUser(i + 1, this.#plan, {
      origin: this.#o.origin,
      timeoutMs: this.#o.timeoutMs,
      localAddress: this.#o.localAddresses?.(i),
      stats: this.#stats,
      onSample: this.#onSample
    })
    this.#users.push(user)
    return user
  }

  /** Users the profile asks for at `now`. */
  #target (now: number): number {
    return Math.round(this.#o.profile.level(now - this.#t0))
  }

  /** Brings the number of active connections/users to the profile's level (closed and users models). */
  #supervise (): void {
    const now = performance.now()
    if (now >= this.#recorder.from) {
      this.#minOpen = Math.min(this.#minOpen, this.#stats.open)
      this.#maxOpen = Math.max(this.#maxOpen, this.#stats.open)
    }
    if (!this.#running || this.#o.model === 'rate') return
    const target = this.#target(now)
    let active = 0
    for (const u of this.#users) if (!u.retiring) active++
    for (let i = this.#users.length - 1; i >= 0 && active > target; i--) {
      const u = this.#users[i]
      if (u.retiring) continue
      u.retire()
      const t = this.#timers.get(u)
      if (t !== undefined) { clearTimeout(t); this.#timers.delete(u) }
      active--
    }
    while (active < target) {
      const u = this.#newUser()
      active++
      if (this.#o.model === 'closed') this.#closedNext(u)
      // Spread the first visits over one think time, as real users do not all arrive in the same millisecond.
      else this.#scheduleUser(u, now + Math.random() * this.#o.thinkMs)
    }
  }

  #closedNext (u: VirtualUser): void {
    if (!this.#running || u.retiring) return
    const now = performance.now()
    this.#recorder.offer(now)
    this.#inFlight++
    u.due(now, () => {
      this.#inFlight--
      this.#closedNext(u)
    })
  }

  #scheduleUser (u: VirtualUser, due: number): void {
    if (due >= this.#endAt) return
    const timer = setTimeout(() => {
      if (!this.#running || u.retiring) return
      this.#recorder.offer(due)
      this.#inFlight++
      u.due(due, this.#userDone)
      this.#scheduleUser(u, due + this.#o.thinkMs * (0.5 + Math.random()))
    }, Math.max(0, due - performance.now()))
    this.#timers.set(u, timer)
  }

  readonly #userDone = (): void => { this.#inFlight-- }

  /** Rate model: every request due by now joins the queue, whatever the server is doing. */
  #generateDue (): void {
    const now = performance.now()
    const limit = Math.min(now, this.#endAt)
    while (this.#nextDue <= limit) {
      const rate = this.#o.profile.level(this.#nextDue - this.#t0)
      if (rate <= 0) {
        this.#nextDue += 10
        continue
      }
      this.#recorder.offer(this.#nextDue)
      this.#queue.push(this.#nextDue)
      this.#nextDue += 1000 / rate
    }
  }

  #dispatchQueued (): void {
    while (this.#idle.length > 0 && this.#queueHead < this.#queue.length) {
      const u = this.#idle.pop() as VirtualUser
      const due = this.#queue[this.#queueHead++]
      this.#inFlight++
      u.due(due, () => {
        this.#inFlight--
        this.#idle.push(u)
        if (this.#running || this.#queueHead < this.#queue.length) this.#dispatchQueued()
      })
    }
    if (this.#queueHead > 4096 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#queueHead)
      this.#queueHead = 0
    }
  }

  async #drain (maxMs: number): Promise<number> {
    const deadline = performance.now() + maxMs
    // In the users model a user's backlog is already counted in #inFlight.
    const pending = (): number => this.#inFlight + (this.#queue.length - this.#queueHead)
    while (pending() > 0 && performance.now() < deadline) {
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    const left = pending()
    // Requests never sent count as timed out: they were due and not served.
    const now = performance.now()
    for (let i = this.#queueHead; i < this.#queue.length; i++) this.#recordUnsent(this.#queue[i], now)
    for (const u of this.#users) for (const due of u.backlog) this.#recordUnsent(due, now)
    return left
  }

  #recordUnsent (due: number, now: number): void {
    this.#recorder.record({ name: '(not sent)', intended: due, sent: now, end: now, status: 0, ok: false, error: 'timeout', cache: 'none', detail: '' })
  }

  #progress (): void {
    const r = this.#recorder
    const now = performance.now()
    this.#o.onProgress?.({
      elapsedMs: now - this.#t0,
      totalMs: this.#o.profile.totalMs,
      measuring: now >= r.from,
      level: this.#o.profile.level(now - this.#t0),
      lastSecond: { completed: this.#allCompleted - this.#lastCompleted, errors: this.#allErrors - this.#lastErrors },
      open: this.#stats.open,
      connects: this.#stats.connects,
      inFlight: this.#inFlight
    })
    this.#lastCompleted = this.#allCompleted
    this.#lastErrors = this.#allErrors
  }
}
