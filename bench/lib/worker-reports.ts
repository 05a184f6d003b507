// bench/capacity's sidecar role with server.workers > 1: each worker measures itself (loop delay, counters, client
// connections and open files) and sends its report lines to the primary over the cluster channel; the primary
// prints them on its stdout, the one pipe the bench reads: counters and connections summed over the workers (each
// is a count of the whole node), open files as the fullest worker's (the limit is per process), loop delay one line
// per worker, tagged with its pid (percentiles of two event loops don't add up).
import cluster from 'node:cluster'
import { readFileSync } from 'node:fs'
import { CONN_LINE } from './window-connections.js'

const MSG_REPORT = 'sipup-bench:report'

interface ReportMessage { type: typeof MSG_REPORT, line: string }

function isReport (m: unknown): m is ReportMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === MSG_REPORT && typeof (m as { line?: unknown }).line === 'string'
}

/** A worker's report sink: each line goes to the primary (dropped while the channel closes at shutdown). */
export function toPrimary (line: string): void {
  if (process.connected !== true || typeof process.send !== 'function') return
  process.send({ type: MSG_REPORT, line } satisfies ReportMessage, undefined, undefined, (err: Error | null) => { void err })
}

export interface Latest { stats: Record<string, number> | null, conn: { accepted: number, open: number, files: number, limit: string } | null }

/** In the primary: relays the workers' report lines to `out` (call before the workers fork). */
export function relayWorkerReports (out: NodeJS.WritableStream = process.stdout): void {
  const latest = new Map<number, Latest>()
  const of = (id: number): Latest => {
    let l = latest.get(id)
    if (l === undefined) { l = { stats: null, conn: null }; latest.set(id, l) }
    return l
  }
  cluster.on('message', (worker, m: unknown) => {
    if (!isReport(m)) return
    const line = m.line
    if (line.startsWith('lag ')) {
      out.write(`${line} ${worker.process.pid ?? 0}\n`)
    } else if (line.startsWith('stats ')) {
      of(worker.id).stats = JSON.parse(line.slice(6)) as Record<string, number>
    } else {
      const c = CONN_LINE.exec(line)
      if (c !== null) of(worker.id).conn = { accepted: Number(c[1]), open: Number(c[2]), files: c[3] === undefined ? -1 : Number(c[3]), limit: c[4] ?? '' }
    }
  })
  // A replaced worker's counts leave the sums with it.
  cluster.on('exit', worker => { latest.delete(worker.id) })
  setInterval(() => { for (const l of nodeLines([...latest.values()])) out.write(l + '\n') }, 1000).unref()
}

/** The node's `stats` and `conn` lines from each worker's latest: counters, gauges and connections summed (each is a
 * count of the node), open files the fullest worker's with the worker count (the limit is per process). */
export function nodeLines (all: readonly Latest[]): string[] {
  const out: string[] = []
  const stats: Record<string, number> = {}
  for (const l of all) for (const [k, v] of Object.entries(l.stats ?? {})) stats[k] = (stats[k] ?? 0) + v
  if (all.some(l => l.stats !== null)) out.push(`stats ${JSON.stringify(stats)}`)
  const conns = all.flatMap(l => l.conn === null ? [] : [l.conn])
  if (conns.length === 0) return out
  const sum = (f: (c: typeof conns[number]) => number): number => conns.reduce((n, c) => n + f(c), 0)
  const files = Math.max(...conns.map(c => c.files))
  out.push(files < 0
    ? `conn ${sum(c => c.accepted)} ${sum(c => c.open)}`
    : `conn ${sum(c => c.accepted)} ${sum(c => c.open)} ${files} ${conns[0].limit} ${conns.length}`)
  return out
}

/** utime + stime in seconds of a process and its children (a cluster primary and its workers), from /proc (Linux). */
export function procTreeCpuSeconds (pid: number | undefined): number {
  if (pid === undefined) return 0
  let sum = procCpuSeconds(pid)
  for (const child of childrenOf(pid)) sum += procCpuSeconds(child)
  return sum
}

function childrenOf (pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(s => s !== '').map(Number)
  } catch {
    return []
  }
}

function procCpuSeconds (pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return 0
  }
}
