// bench/capacity's stall diagnostic (issue 15: a sidecar worker's event loop stalls for 0.5-1.3 s at the start of
// the measured window and its origin slots stay held). Off unless SIPUP_BENCH_DIAG names a file prefix; then each
// process that calls it appends lines to `<prefix>.<role>.<pid>`, every line led by Date.now() so the files of the
// bench, the workers and the shop line up. What a worker writes tells the stall's kind apart:
// - `stall`: the loop came back late; `run`/`wait` are the main thread's ms on a CPU and in the run queue over the
//   gap (/proc/self/schedstat): mostly `wait` = descheduled (CPU-starved), mostly `run` = busy in JS or the kernel,
//   neither = blocked in a system call or on a lock;
// - `gc`: a collection of 20 ms or more, with its kind;
// - `sec`: once a second, the same split plus the loop's utilization and the heap.
// SIPUP_BENCH_CPUPROF=<dir> also records a CPU profile of each worker for its first SIPUP_BENCH_CPUPROF_S seconds
// (default 100), written as <dir>/worker-<pid>.cpuprofile (open it in Chrome's DevTools or read its samples) when
// those seconds are up: only a worker that lives that long writes one, so set it below the run's length (a
// one-round --only D run stops its workers about 65 s after they start; the default outlives it and writes nothing).
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { PerformanceObserver, performance, type EntryType } from 'node:perf_hooks'

const TICK_MS = 50
const STALL_MS = 150
const GC_MS = 20

/** The diagnostic's sink for this process, or null when SIPUP_BENCH_DIAG is not set. */
export function diagSink (role: string): ((line: string) => void) | null {
  const prefix = process.env.SIPUP_BENCH_DIAG
  if (prefix === undefined || prefix === '') return null
  const fd = openSync(`${prefix}.${role}.${process.pid}`, 'a')
  process.once('exit', () => { closeSync(fd) })
  return line => { writeSync(fd, `${Date.now()} ${line}\n`) }
}

/** The main thread's time on a CPU and waiting for one, in ms (Linux; zeros elsewhere). */
function schedMs (): { run: number, wait: number } {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number)
    return { run: run / 1e6, wait: wait / 1e6 }
  } catch {
    return { run: 0, wait: 0 }
  }
}

/** In a sidecar worker: stalls, long GCs and a per-second line; `extra` adds figures to the per-second line. */
export function watchStalls (emit: (line: string) => void, extra: () => string = () => ''): void {
  const kinds: Record<number, string> = { 1: 'scavenge', 2: 'mark-sweep-compact', 4: 'incremental', 8: 'weak-cb' }
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) {
      if (e.duration < GC_MS) continue
      const detail = (e as { detail?: { kind?: number } }).detail
      emit(`gc at=${Math.round(performance.timeOrigin + e.startTime)} ms=${e.duration.toFixed(0)} kind=${kinds[detail?.kind ?? 0] ?? String(detail?.kind)}`)
    }
  }).observe({ entryTypes: ['gc' as EntryType] })

  let last = performance.now()
  let lastSched = schedMs()
  setInterval(() => {
    const now = performance.now()
    const gap = now - last
    const s = schedMs()
    if (gap > STALL_MS) {
      emit(`stall gap=${gap.toFixed(0)} run=${(s.run - lastSched.run).toFixed(0)} wait=${(s.wait - lastSched.wait).toFixed(0)} heap=${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)}MB`)
    }
    last = now
    lastSched = s
  }, TICK_MS).unref()

  let secSched = schedMs()
  let secCpu = process.cpuUsage()
  let elu = performance.eventLoopUtilization()
  setInterval(() => {
    const s = schedMs()
    const cpu = process.cpuUsage(secCpu)
    const u = performance.eventLoopUtilization(elu)
    emit(`sec run=${(s.run - secSched.run).toFixed(0)} wait=${(s.wait - secSched.wait).toFixed(0)} proc=${((cpu.user + cpu.system) / 1000).toFixed(0)} ` +
      `elu=${u.utilization.toFixed(2)} heap=${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)}MB ${extra()}`)
    secSched = s
    secCpu = process.cpuUsage()
    elu = performance.eventLoopUtilization()
  }, 1000).unref()
}

/** With SIPUP_BENCH_CPUPROF: profiles this process from now for SIPUP_BENCH_CPUPROF_S seconds, then writes it. */
export async function profileFor (): Promise<void> {
  const dir = process.env.SIPUP_BENCH_CPUPROF
  if (dir === undefined || dir === '') return
  const seconds = Number(process.env.SIPUP_BENCH_CPUPROF_S ?? 100)
  const { Session } = await import('node:inspector/promises')
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 1000 })
  await session.post('Profiler.start')
  // The wall-clock start, so the profile's microsecond timestamps can be lined up with the diag lines.
  const startedAt = Date.now()
  setTimeout(() => {
    void session.post('Profiler.stop').then(({ profile }) => {
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, `worker-${process.pid}.cpuprofile`), JSON.stringify({ ...profile, wallStartMs: startedAt }))
      session.disconnect()
    })
  }, seconds * 1000).unref()
}

/** In the bench: once a second, the CPU ms of this process and of every descendant (load generators, shops, sidecar
 * primaries and workers), by pid and name, so a CPU spike that starves a worker shows whose it is. */
export function diagProcessCpu (emit: (line: string) => void): void {
  const last = new Map<number, number>()
  const cpuMs = (pid: number): number => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(f[11]) + Number(f[12])) * 10
  }
  const tree = (pid: number, out: number[]): number[] => {
    out.push(pid)
    let kids: string[] = []
    try { kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(k => k !== '') } catch { /* gone */ }
    for (const k of kids) tree(Number(k), out)
    return out
  }
  setInterval(() => {
    const parts: string[] = []
    let total = 0
    for (const pid of tree(process.pid, [])) {
      try {
        const ms = cpuMs(pid)
        const d = ms - (last.get(pid) ?? ms)
        last.set(pid, ms)
        total += d
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
        const role = args.includes('--role') ? args[args.indexOf('--role') + 1] : args.some(a => a.includes('part-process')) ? 'gen' : args[1]?.split('/').pop() ?? '?'
        parts.push(`${role}:${pid}=${d}`)
      } catch { /* exited */ }
    }
    let load = ''
    try { load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 4).join(' ') } catch { /* not Linux */ }
    emit(`cpu total=${total} ${parts.join(' ')} loadavg=${load}`)
  }, 1000).unref()
}
