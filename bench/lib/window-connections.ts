// bench/capacity's view of connections over each measured window, from three sides, so a tail of multi-second
// latencies can be traced to its cause (issue 15): the load generator (connections opened vs users: late arrivals,
// reconnects and why connections ended), the server process (connections it accepted, connections open) and the
// kernel (the port's listen queue, listen overflows/drops). Plus the arrival: new connections per second during the
// ramp and during the window, to tell a SYN burst from a steady crowd.
import { readFileSync, readdirSync } from 'node:fs'
import { onLines, type Started } from './processes.js'
import type { Progress } from '../../src/loadtest/engine.js'
import type { TargetResult } from '../../src/loadtest/result.js'
import { settleText, windowConnectionsText } from '../../src/loadtest/report-text.js'
import { int, rate } from '../../src/loadtest/format.js'
import { ListenQueueWatch, listenWindowText, type ListenWindow } from './listen-queue.js'

/** What a server role prints once a second: `conn <accepted since start> <open now> [<open files> <open files limit>
 * [<workers>]]`; with workers (a cluster primary's sum, bench/lib/worker-reports.ts), open files are the fullest one's. */
export const CONN_LINE = /^conn (\d+) (\d+)(?: (\d+) (\d+|unlimited)(?: (\d+))?)?$/

/** Emits CONN_LINE once a second for `server` (call it in the server process); `emit` defaults to stdout. */
export function reportServerConnections (server: import('node:net').Server, emit: (line: string) => void = stdoutLine): void {
  let accepted = 0
  let open = 0
  server.on('connection', (socket: import('node:net').Socket) => {
    accepted++
    open++
    socket.once('close', () => { open-- })
  })
  // Open files against the process's limit: each client connection is one, and at the limit accept() fails with
  // EMFILE, so connections wait in the listen queue (and their users time out) although the loop is not busy.
  const limit = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 'unlimited'
  setInterval(() => {
    let files = -1
    try { files = readdirSync('/proc/self/fd').length } catch { /* not Linux */ }
    emit(files < 0 ? `conn ${accepted} ${open}` : `conn ${accepted} ${open} ${files} ${limit}`)
  }, 1000).unref()
}

function stdoutLine (line: string): void {
  process.stdout.write(line + '\n')
}

interface ServerSide { accepted: number, seconds: number, minOpen: number, maxOpen: number, maxFiles: number, fileLimit: string, workers: number }

/** Per target: collects the three sides over its measured windows (every round). */
export class WindowConnections {
  readonly #ports: number[]
  readonly #urls: string[]
  readonly #listen: ListenWindow[][]
  readonly #watch: Array<ListenQueueWatch | null>
  /** The same watch over the arrival (from the run's first progress tick to the window's start). */
  readonly #arrivalWatch: Array<ListenQueueWatch | null>
  readonly #arrival: ListenWindow[][]
  readonly #pending: Array<Promise<void>> = []
  readonly #server: ServerSide[]
  readonly #measuring: boolean[]
  readonly #rate: Array<{ rampPeak: number, windowPeak: number, windowSum: number, windowSeconds: number }>
  readonly #last = new Map<string, { connects: number, at: number, measuring: boolean }>()

  /** `ports[i]`: the port target i listens on; `servers[i]`: its process if it prints CONN_LINE (null if not). */
  constructor (urls: string[], ports: number[], servers: Array<Started | null>) {
    this.#urls = urls
    this.#ports = ports
    this.#listen = ports.map(() => [])
    this.#watch = ports.map(() => null)
    this.#arrivalWatch = ports.map(() => null)
    this.#arrival = ports.map(() => [])
    this.#measuring = ports.map(() => false)
    this.#server = ports.map(() => ({ accepted: 0, seconds: 0, minOpen: Number.POSITIVE_INFINITY, maxOpen: 0, maxFiles: -1, fileLimit: '', workers: 1 }))
    this.#rate = ports.map(() => ({ rampPeak: 0, windowPeak: 0, windowSum: 0, windowSeconds: 0 }))
    servers.forEach((p, i) => { if (p !== null) this.#follow(p, i) })
  }

  /** For BenchOptions.onWindow. */
  readonly onWindow = (phase: 'start' | 'end', i: number): void => {
    if (phase === 'start') {
      this.#measuring[i] = true
      const a = this.#arrivalWatch[i]
      this.#arrivalWatch[i] = null
      if (a !== null) this.#pending.push(a.stop().then(r => { this.#arrival[i].push(r) }))
      const w = new ListenQueueWatch(this.#ports[i])
      this.#watch[i] = w
      w.start()
      return
    }
    this.#measuring[i] = false
    const w = this.#watch[i]
    this.#watch[i] = null
    if (w !== null) this.#pending.push(w.stop().then(r => { this.#listen[i].push(r) }))
  }

  /** Call from BenchOptions.onProgress (once a second): new connections per second, ramp vs window. */
  progress (label: string, p: Progress): void {
    const i = this.#urls.findIndex(u => label.endsWith(u))
    if (i < 0) return
    if (!p.measuring && !this.#measuring[i] && this.#arrivalWatch[i] === null && !this.#last.has(label)) {
      const w = new ListenQueueWatch(this.#ports[i])
      this.#arrivalWatch[i] = w
      w.start()
    }
    const now = performance.now()
    const last = this.#last.get(label)
    this.#last.set(label, { connects: p.connects, at: now, measuring: p.measuring })
    if (last === undefined || p.connects < last.connects) return
    const perSecond = (p.connects - last.connects) / Math.max(0.001, (now - last.at) / 1000)
    const r = this.#rate[i]
    // The tick in which measuring began spans both sides of the window's start: count it as before.
    if (p.measuring && last.measuring) {
      r.windowPeak = Math.max(r.windowPeak, perSecond)
      r.windowSum += p.connects - last.connects
      r.windowSeconds += (now - last.at) / 1000
    } else {
      r.rampPeak = Math.max(r.rampPeak, perSecond)
    }
  }

  /** The report lines of target i; `arrivalPerSecond`: the ramp's slope (users / arrive time). */
  async lines (i: number, name: string, result: TargetResult, arrivalPerSecond: number): Promise<string[]> {
    await Promise.all(this.#pending)
    const c = result.connections
    const out = [`  ${name}: connections while measured (the load generator's: its median round; the server's and the kernel's: every round):`]
    out.push(`    load generator: ${c.window === undefined ? 'not counted' : windowConnectionsText(c.window, c.users)}`)
    if (c.settle !== undefined) out.push(`    ${settleText(c.settle)}`)
    const s = this.#server[i]
    out.push(s.seconds === 0
      ? '    server: (no connection counts read while measured)'
      : `    server: accepted ${int(s.accepted)} (${rate(s.accepted / s.seconds)}/s), ${int(s.minOpen)}-${int(s.maxOpen)} open` +
        (s.maxFiles < 0 ? '' : `; open files up to ${int(s.maxFiles)}${s.workers > 1 ? ` in the fullest of its ${s.workers} workers, of the limit per process` : ' of its limit'} ${s.fileLimit === 'unlimited' ? s.fileLimit : int(Number(s.fileLimit))}` +
          (s.fileLimit !== 'unlimited' && s.maxFiles >= Number(s.fileLimit) - 16 ? ' (at the limit: accept() fails with EMFILE, so new connections wait in the listen queue)' : '')))
    const r = this.#rate[i]
    out.push(`    arrival: users join at ${rate(arrivalPerSecond)}/s over the ramp, each first visit spread over one think time; new connections ` +
      `peaked at ${rate(r.rampPeak)}/s before measuring, ${rate(r.windowPeak)}/s while measured (mean ${rate(r.windowSeconds === 0 ? 0 : r.windowSum / r.windowSeconds)}/s)`)
    for (const w of this.#arrival[i]) out.push(`    kernel during the arrival and warm-up: ${listenWindowText(w)}`)
    for (const w of this.#listen[i]) out.push(`    kernel while measured: ${listenWindowText(w)}`)
    out.push(...verdict(c, this.#listen[i], s, this.#arrival[i]).map(l => `    => ${l}`))
    return out
  }

  #follow (p: Started, i: number): void {
    let prev: { accepted: number, at: number } | null = null
    onLines(p, line => {
      const m = CONN_LINE.exec(line)
      if (m === null) return
      if (!this.#measuring[i]) { prev = null; return }
      const accepted = Number(m[1])
      const open = Number(m[2])
      const at = performance.now()
      const s = this.#server[i]
      s.minOpen = Math.min(s.minOpen, open)
      s.maxOpen = Math.max(s.maxOpen, open)
      if (m[3] !== undefined) {
        s.maxFiles = Math.max(s.maxFiles, Number(m[3]))
        s.fileLimit = m[4]
        if (m[5] !== undefined) s.workers = Number(m[5])
      }
      if (prev !== null) {
        s.accepted += accepted - prev.accepted
        s.seconds += (at - prev.at) / 1000
      }
      prev = { accepted, at }
    })
  }
}

/** What the figures say, in words: which side the churn comes from. */
function verdict (c: TargetResult['connections'], listen: ListenWindow[], s: ServerSide, arrival: ListenWindow[]): string[] {
  const out: string[] = []
  const fullArriving = arrival.reduce((n, l) => n + l.fullSamples, 0)
  if (fullArriving > 0) {
    out.push(`the listen queue was full in ${fullArriving} samples during the arrival: users' SYNs were dropped while they connected ` +
      '(each retried after 1 s, 3 s, 7 s)')
  }
  const users = c.users ?? 0
  const w = c.window
  if (w !== undefined) {
    const opened = w.firstConnects + w.reconnects
    if (opened === 0 && w.connectErrors === 0) out.push('every user kept its one keep-alive connection through the window: no reconnects, no late arrivals')
    if (c.settle !== undefined && c.settle.waitedMs >= 1000) {
      out.push(`users were still connecting when the warm-up ended: the window waited ${(c.settle.waitedMs / 1000).toFixed(1)} s for them (slow accepts or dropped SYNs during the arrival)`)
    }
    if (w.firstConnects > 0) out.push(`${int(w.firstConnects)} users made their first connection inside the window: the arrival (or its SYN retries) spilled into it`)
    if (w.reconnects > 0) {
      const why = [['the server closed them', w.closedByServer], ['the client timeout', w.closedByTimeout], ['idle past the server\'s keep-alive', w.closedIdle], ['other errors', w.closedByError]] as const
      const top = [...why].sort((a, b) => b[1] - a[1])[0]
      out.push(`${int(w.reconnects)} reconnects (${users === 0 ? '-' : `${(100 * w.reconnects / users).toFixed(1)}%`} of the users), mostly after ${top[0]} (${int(top[1])})`)
    }
    if (w.connectErrors > 0) out.push(`${int(w.connectErrors)} connection attempts failed (connect timeout or refused): each is a user re-dialling`)
  }
  const full = listen.reduce((n, l) => n + l.fullSamples, 0)
  const overflows = listen.reduce((n, l) => n + (l.overflows ?? 0), 0)
  if (full > 0) out.push(`the listen queue was full in ${full} samples: the server accepted slower than clients connected`)
  if (overflows > 0 && full === 0) {
    out.push(`${int(overflows)} listen overflows machine-wide while this port's queue was never seen full: ` +
      (s.accepted > 0 || (w !== undefined && w.reconnects + w.firstConnects > 0) ? 'some may be this port\'s between samples, ' : '') +
      'likely another listener\'s (other processes on this machine)')
  }
  return out
}
