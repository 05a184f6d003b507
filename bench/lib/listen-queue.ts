// The kernel's side of a measured window: how full a server's accept (listen) queue got, and how many connections
// the kernel dropped because it was full. A listen queue at its limit means the server accepts slower than clients
// connect; each dropped SYN costs that client a 1 s, 3 s, 7 s retransmit. Linux only (ss, nstat or /proc); where the
// tools are missing the figures say so instead of reading 0.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** Cumulative machine-wide TcpExt counters (every listener on the machine, other people's runs included). */
export interface ListenCounters {
  /** TcpExtListenOverflows: a connection arrived (SYN or the handshake's last ACK) while the accept queue was full. */
  overflows: number
  /** TcpExtListenDrops: connections dropped at the listener for any reason (overflows included). */
  drops: number
}

export interface ListenQueueSample {
  /** Recv-Q of the listening socket: connections completed by the kernel, not accepted yet. */
  queued: number
  /** Send-Q of the listening socket: the queue's limit, min(backlog, net.core.somaxconn). */
  limit: number
}

/** One measured window: the port's queue sampled once a second, and the counters' increase over the window. */
export interface ListenWindow {
  port: number
  samples: number
  maxQueued: number
  medianQueued: number
  /** Samples with the queue at its limit. */
  fullSamples: number
  limit: number | null
  /** Increase of the machine-wide counters over the window; null where they could not be read. */
  overflows: number | null
  drops: number | null
  /** How the counters were read. */
  source: 'nstat' | '/proc/net/netstat' | 'none'
}

const SAMPLE_MS = 1000
const TOOL_TIMEOUT_MS = 2000

function run (cmd: string, args: string[]): Promise<string | null> {
  return new Promise(resolve => {
    execFile(cmd, args, { timeout: TOOL_TIMEOUT_MS }, (err, stdout) => { resolve(err === null ? stdout : null) })
  })
}

/** `ss -ltnH sport = :PORT`: the listening socket's Recv-Q and Send-Q (null without ss or without a listener). */
export async function sampleListenQueue (port: number): Promise<ListenQueueSample | null> {
  const out = await run('ss', ['-ltnH', `sport = :${port}`])
  if (out === null) return null
  // `LISTEN 0 4096 127.0.0.1:8080 0.0.0.0:*`; several lines when listening on several addresses: add them up.
  let queued = 0
  let limit = 0
  let found = false
  for (const line of out.split('\n')) {
    const f = line.trim().split(/\s+/)
    if (f.length < 4 || f[0] !== 'LISTEN') continue
    queued += Number(f[1])
    limit += Number(f[2])
    found = true
  }
  return found ? { queued, limit } : null
}

/** `nstat -asz TcpExtListenOverflows TcpExtListenDrops` (absolute values, history untouched), else /proc/net/netstat. */
export async function listenCounters (): Promise<{ counters: ListenCounters, source: ListenWindow['source'] } | null> {
  const out = await run('nstat', ['-asz', 'TcpExtListenOverflows', 'TcpExtListenDrops'])
  if (out !== null) {
    const value = (name: string): number | undefined => {
      const m = new RegExp(`^${name}\\s+(\\d+)`, 'm').exec(out)
      return m === null ? undefined : Number(m[1])
    }
    const overflows = value('TcpExtListenOverflows')
    const drops = value('TcpExtListenDrops')
    if (overflows !== undefined && drops !== undefined) return { counters: { overflows, drops }, source: 'nstat' }
  }
  const proc = procCounters()
  return proc === null ? null : { counters: proc, source: '/proc/net/netstat' }
}

/** The same counters from /proc/net/netstat (what nstat reads). */
export function procCounters (): ListenCounters | null {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter(l => l.startsWith('TcpExt:'))
    const names = lines[0].split(/\s+/)
    const vals = lines[1].split(/\s+/)
    const at = (n: string): number => Number(vals[names.indexOf(n)])
    const overflows = at('ListenOverflows')
    const drops = at('ListenDrops')
    return Number.isFinite(overflows) && Number.isFinite(drops) ? { overflows, drops } : null
  } catch {
    return null
  }
}

/** Watches one port's listen queue from start() to stop(): the window's figures. Samples never overlap. */
export class ListenQueueWatch {
  readonly port: number
  readonly #queued: number[] = []
  #limit: number | null = null
  #before: Promise<Awaited<ReturnType<typeof listenCounters>>> | null = null
  #timer: NodeJS.Timeout | null = null
  #sampling = false

  constructor (port: number) {
    this.port = port
  }

  start (): void {
    if (this.#timer !== null) return
    this.#before = listenCounters()
    this.#sample()
    this.#timer = setInterval(() => this.#sample(), SAMPLE_MS)
    // A watch left running by an aborted run must not keep the process alive.
    this.#timer.unref()
  }

  async stop (): Promise<ListenWindow> {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
    const [before, after] = await Promise.all([this.#before, listenCounters()])
    const q = [...this.#queued].sort((a, b) => a - b)
    const both = before !== null && before !== undefined && after !== null
    return {
      port: this.port,
      samples: q.length,
      maxQueued: q.length === 0 ? 0 : q[q.length - 1],
      medianQueued: q.length === 0 ? 0 : q[q.length >> 1],
      fullSamples: this.#limit === null ? 0 : q.filter(n => n >= (this.#limit as number)).length,
      limit: this.#limit,
      overflows: both ? after.counters.overflows - before.counters.overflows : null,
      drops: both ? after.counters.drops - before.counters.drops : null,
      source: both ? after.source : 'none'
    }
  }

  #sample (): void {
    if (this.#sampling) return
    this.#sampling = true
    void sampleListenQueue(this.port).then(s => {
      this.#sampling = false
      if (s === null) return
      this.#queued.push(s.queued)
      this.#limit = s.limit
    })
  }
}

/** One line for a report. */
export function listenWindowText (w: ListenWindow): string {
  const queue = w.samples === 0
    ? `listen queue of :${w.port}: not sampled (no ss, or nothing listening)`
    : `listen queue of :${w.port} (ss, ${w.samples} samples): median ${w.medianQueued}, max ${w.maxQueued} of ${w.limit ?? '?'}` +
      (w.fullSamples > 0 ? `, full in ${w.fullSamples}` : '')
  const counters = w.overflows === null
    ? 'TcpExtListenOverflows/Drops: unreadable'
    : `TcpExtListenOverflows +${w.overflows}, TcpExtListenDrops +${w.drops ?? 0} (${w.source}, machine-wide)`
  return `${queue}; ${counters}`
}
