// bench/hit-gap: where a cache hit's CPU goes beyond bare node:http's (issue 18). The same 4 KB page from bare
// node:http, bare Fastify and the sidecar's cache hit (bench/hot-path's roles, each in its own process), measured
// over a fixed number of requests (h2load --h1 -n, keep-alive), rounds interleaved, medians:
//  - CPU µs per request per thread group, from /proc/<pid>/task/*/stat (Node 20 names every thread "node", so the
//    groups go by creation order: the main thread; V8's platform workers, 4 by default, which run the parallel
//    scavenger and concurrent marking/compiling; Node's two helper threads; libuv's pool, when it was started);
//  - system calls per request (`strace -c -f`, a separate pass, strace slows the process down);
//  - GCs per 1,000 requests and their main-thread pause (perf_hooks, bench/lib/gc-probe.ts, in other processes of
//    the same roles, so the CPU pass runs without the observer);
//  - bytes per response (h2load's traffic line).
// `--flags=<node/V8 flags>` (with `=`: the value starts with a dash) runs every party a second time with them, so
// the figures with and without them come from the same run. `--baseline <dir>` adds the hit of another built
// checkout (before/after in one run).
//   npm run build && node dist/bench/hit-gap.js [--rounds 5] [--requests 200000] [--connections 64]
// Needs h2load; strace for the syscall pass (skipped with a note when missing).
import { execFile, spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { benchArgs } from './lib/args.js'
import { freePort } from './lib/free-port.js'
import { startProcess, waitFor, type Started } from './lib/processes.js'
import { median } from './lib/wrk.js'

const run = promisify(execFile)
const HERE = fileURLToPath(new URL('.', import.meta.url))
const HOT_PATH = join(HERE, 'hot-path.js')
const GC_PROBE = join(HERE, 'lib', 'gc-probe.js')
/** Thread groups by creation order (index 0 is the main thread). */
const GROUPS = ['main', 'v8 workers', 'node helpers', 'libuv pool'] as const
/** The main thread's user and system time apart: the kernel's share (socket writes, epoll) is in `sys`. */
const SPLIT = ['main user', 'main sys'] as const
const V8_POOL = 4

interface Party {
  name: string
  script: string
  role: string
  flags: readonly string[]
  port: number
  proc: Started | null
  cpu: Record<string, number[]>
  total: number[]
}

function groupOf (index: number): string {
  if (index === 0) return GROUPS[0]
  if (index <= V8_POOL) return GROUPS[1]
  if (index <= V8_POOL + 2) return GROUPS[2]
  return GROUPS[3]
}

/** CPU ticks (utime + stime) of each thread group of `pid`, and the main thread's utime and stime. */
function threadTicks (pid: number): Map<string, number> {
  const out = new Map<string, number>([...GROUPS, ...SPLIT].map(g => [g, 0]))
  const tids = readdirSync(`/proc/${pid}/task`).map(Number).sort((a, b) => a - b)
  tids.forEach((tid, i) => {
    try {
      const f = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')
      const g = groupOf(i)
      out.set(g, (out.get(g) ?? 0) + Number(f[11]) + Number(f[12]))
      if (i === 0) { out.set(SPLIT[0], Number(f[11])); out.set(SPLIT[1], Number(f[12])) }
    } catch { /* the thread ended */ }
  })
  return out
}

interface Load { done: number, bytes: number, headerBytes: number }

async function h2load (url: string, requests: number, connections: number): Promise<Load> {
  const { stdout } = await run('h2load', ['--h1', '-n', String(requests), '-c', String(connections), '-t', '1', url], { maxBuffer: 1 << 22 })
  const done = Number(/requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded/.exec(stdout)?.[2] ?? NaN)
  const t = /traffic: \S+ \((\d+)\) total, \S+ \((\d+)\) headers/.exec(stdout)
  return { done, bytes: Number(t?.[1] ?? NaN), headerBytes: Number(t?.[2] ?? NaN) }
}

function start (p: Party, upstream: string, extra: readonly string[]): Promise<Started> {
  return startProcess(p.script, ['--role', p.role, '--port', String(p.port), '--upstream', upstream],
    new RegExp(`ready ${p.role}`), {}, [...p.flags, ...extra])
}

/** `strace -c -f` output: call counts per system call. */
function parseStrace (text: string): Map<string, number> {
  const calls = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?([a-z_0-9]+)\s*$/.exec(line)
    if (m !== null && m[2] !== 'total') calls.set(m[2], Number(m[1]))
  }
  return calls
}

async function straceCounts (pid: number, url: string, requests: number, connections: number): Promise<Map<string, number>> {
  const strace = spawn('strace', ['-c', '-f', '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] })
  let text = ''
  strace.stderr.on('data', (c: Buffer) => { text += c.toString() })
  await new Promise(resolve => setTimeout(resolve, 1000))
  const load = await h2load(url, requests, connections)
  const exited = new Promise(resolve => strace.once('exit', resolve))
  strace.kill('SIGINT')
  await exited
  const calls = parseStrace(text)
  for (const [k, v] of calls) calls.set(k, v / load.done)
  return calls
}

interface GcTotals { counts: Record<string, number>, ms: Record<string, number>, heapUsed: number, heapTotal: number }

function gcSnapshot (p: Started): Promise<GcTotals> {
  return new Promise((resolve, reject) => {
    let text = ''
    const onData = (c: Buffer): void => {
      text += c.toString()
      const m = /gc-probe (\{.*\})\n/.exec(text)
      if (m === null) return
      p.child.stdout?.off('data', onData)
      resolve(JSON.parse(m[1]) as GcTotals)
    }
    p.child.stdout?.on('data', onData)
    if (p.child.kill('SIGUSR2') !== true) reject(new Error('gc-probe: the party is gone'))
  })
}

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/hit-gap',
    summary: 'Where a cache hit\'s CPU goes beyond bare node:http: CPU µs per request per thread group, system calls, GCs and bytes per request of bare node:http, bare Fastify and the sidecar\'s hit. Needs h2load (and strace).',
    options: {
      rounds: { type: 'int', default: 5, description: 'interleaved rounds of the CPU pass; figures are medians' },
      requests: { type: 'int', default: 200_000, description: 'requests per party and round (h2load -n)' },
      connections: { type: 'int', default: 64, description: 'keep-alive connections (h2load -c)' },
      'strace-requests': { type: 'int', min: 0, default: 20_000, description: 'requests counted under strace (0: no syscall pass)' },
      'gc-requests': { type: 'int', min: 0, default: 200_000, description: 'requests of the GC pass (0: none)' },
      flags: { type: 'string', placeholder: '<flags>', description: 'node/V8 flags: every party also runs with them' },
      baseline: { type: 'string', placeholder: '<dir>', description: 'another built checkout: its hit is measured too' }
    }
  })
  const { rounds, requests, connections } = values
  const po = await freePort()
  const upstream = `http://127.0.0.1:${po}`
  const base: Array<[string, string, string]> = [['node:http', HOT_PATH, 'node-http'], ['Fastify', HOT_PATH, 'fastify'], ['hit', HOT_PATH, 'hit']]
  if (values.baseline !== undefined) base.push(['hit (baseline)', join(values.baseline, 'dist/bench/hot-path.js'), 'hit'])
  const variants: Array<readonly string[]> = [[]]
  if (values.flags !== undefined) variants.push(values.flags.split(/\s+/).filter(s => s !== ''))
  const parties: Party[] = []
  for (const flags of variants) {
    for (const [name, script, role] of base) {
      parties.push({ name: flags.length === 0 ? name : `${name} ${flags.join(' ')}`, script, role, flags, port: 0, proc: null, cpu: Object.fromEntries([...GROUPS, ...SPLIT].map(g => [g, []])), total: [] })
    }
  }
  const origin = await startProcess(HOT_PATH, ['--role', 'origin', '--port', String(po)], /ready origin/)
  const url = (p: Party): string => `http://127.0.0.1:${p.port}/fast`
  const bytes = new Map<string, Load>()
  const sys = new Map<string, Map<string, number>>()
  const gc = new Map<string, GcTotals & { n: number }>()
  try {
    for (const p of parties) {
      p.port = await freePort()
      p.proc = await start(p, upstream, [])
      await waitFor(url(p))
    }
    process.stderr.write('warm-up\n')
    for (const p of parties) await h2load(url(p), 50_000, connections)
    for (let r = 0; r < rounds; r++) {
      for (const p of parties) {
        const pid = p.proc?.child.pid as number
        const t0 = threadTicks(pid)
        const load = await h2load(url(p), requests, connections)
        const t1 = threadTicks(pid)
        let sum = 0
        for (const g of GROUPS) {
          // ticks are 10 ms
          const us = ((t1.get(g) ?? 0) - (t0.get(g) ?? 0)) * 10_000 / load.done
          p.cpu[g].push(us)
          sum += us
        }
        for (const g of SPLIT) p.cpu[g].push(((t1.get(g) ?? 0) - (t0.get(g) ?? 0)) * 10_000 / load.done)
        p.total.push(sum)
        bytes.set(p.name, load)
        process.stderr.write(`  round ${r + 1}/${rounds} ${p.name.padEnd(40)} ${sum.toFixed(2)} µs/req\n`)
      }
    }
    if (values['strace-requests'] > 0) {
      for (const p of parties) {
        try {
          sys.set(p.name, await straceCounts(p.proc?.child.pid as number, url(p), values['strace-requests'], connections))
        } catch (err) {
          process.stderr.write(`strace: ${(err as Error).message}, syscall pass skipped\n`)
          break
        }
      }
    }
    for (const p of parties) { await p.proc?.stop(); p.proc = null }
    if (values['gc-requests'] > 0) {
      for (const p of parties) {
        const proc = await start(p, upstream, ['--import', GC_PROBE])
        try {
          await waitFor(url(p))
          await h2load(url(p), 50_000, connections)
          const a = await gcSnapshot(proc)
          const load = await h2load(url(p), values['gc-requests'], connections)
          const b = await gcSnapshot(proc)
          const counts: Record<string, number> = {}
          const ms: Record<string, number> = {}
          for (const k of Object.keys(b.counts)) {
            counts[k] = (b.counts[k] - (a.counts[k] ?? 0)) * 1000 / load.done
            ms[k] = (b.ms[k] - (a.ms[k] ?? 0)) * 1000 / load.done
          }
          gc.set(p.name, { counts, ms, heapUsed: b.heapUsed, heapTotal: b.heapTotal, n: load.done })
        } finally {
          await proc.stop()
        }
      }
    }
  } finally {
    for (const p of parties) await p.proc?.stop()
    await origin.stop()
  }
  const w = 40
  console.log(`bench/hit-gap: GET /fast (4 KB page), h2load --h1 -c${connections} -n${requests}, ${rounds} interleaved rounds, medians`)
  console.log(`\nCPU µs per request by thread group (/proc/<pid>/task/*/stat)`)
  const cols = [...GROUPS, ...SPLIT]
  console.log(`${'party'.padEnd(w)} ${'total'.padStart(7)} ${cols.map(g => g.padStart(13)).join('')}`)
  for (const p of parties) {
    console.log(`${p.name.padEnd(w)} ${median(p.total).toFixed(2).padStart(7)} ${cols.map(g => median(p.cpu[g]).toFixed(2).padStart(13)).join('')}`)
  }
  // Each round measures the parties back to back, so a per-round ratio cancels most of a shared machine's drift.
  const yard = parties[0]
  console.log(`\nCPU per request / ${yard.name}'s, median of the per-round ratios (per round: min-max)`)
  for (const p of parties.slice(1)) {
    const rs = p.total.map((x, i) => x / yard.total[i])
    console.log(`${p.name.padEnd(w)} ${median(rs).toFixed(3).padStart(7)}  (${Math.min(...rs).toFixed(2)}-${Math.max(...rs).toFixed(2)})`)
  }
  if (values.baseline !== undefined) {
    const now = parties.find(p => p.name === 'hit')
    const before = parties.find(p => p.name === 'hit (baseline)')
    if (now !== undefined && before !== undefined) {
      const rs = now.total.map((x, i) => x / before.total[i])
      console.log(`${'hit / hit (baseline)'.padEnd(w)} ${median(rs).toFixed(3).padStart(7)}  (${Math.min(...rs).toFixed(2)}-${Math.max(...rs).toFixed(2)})`)
    }
  }
  console.log('\nbytes per response (h2load traffic)')
  for (const p of parties) {
    const b = bytes.get(p.name)
    if (b !== undefined) console.log(`${p.name.padEnd(w)} ${(b.bytes / b.done).toFixed(0).padStart(7)} (head ${(b.headerBytes / b.done).toFixed(0)})`)
  }
  if (sys.size > 0) {
    console.log(`\nsystem calls per request (strace -c -f, ${values['strace-requests']} requests)`)
    const names = [...new Set([...sys.values()].flatMap(m => [...m.keys()]))]
      .filter(n => [...sys.values()].some(m => (m.get(n) ?? 0) >= 0.005))
      .sort((a, b) => (sys.get(parties[0].name)?.get(b) ?? 0) - (sys.get(parties[0].name)?.get(a) ?? 0))
    console.log(`${'party'.padEnd(w)} ${'total'.padStart(7)} ${names.map(n => n.padStart(13)).join('')}`)
    for (const p of parties) {
      const m = sys.get(p.name)
      if (m === undefined) continue
      const total = [...m.values()].reduce((a, b) => a + b, 0)
      console.log(`${p.name.padEnd(w)} ${total.toFixed(2).padStart(7)} ${names.map(n => (m.get(n) ?? 0).toFixed(3).padStart(13)).join('')}`)
    }
  }
  if (gc.size > 0) {
    console.log('\nGCs per 1,000 requests, and their main-thread pause, ms per 1,000 requests (perf_hooks)')
    console.log(`${'party'.padEnd(w)} ${'minor'.padStart(7)} ${'ms'.padStart(7)} ${'major'.padStart(7)} ${'ms'.padStart(7)} ${'incr.'.padStart(7)} ${'heap MB'.padStart(8)}`)
    for (const p of parties) {
      const g = gc.get(p.name)
      if (g === undefined) continue
      console.log(`${p.name.padEnd(w)} ${g.counts.minor.toFixed(2).padStart(7)} ${g.ms.minor.toFixed(2).padStart(7)} ${g.counts.major.toFixed(3).padStart(7)} ` +
        `${g.ms.major.toFixed(2).padStart(7)} ${g.counts.incremental.toFixed(3).padStart(7)} ${(g.heapUsed / 1e6).toFixed(1).padStart(8)}`)
    }
  }
}

main().catch(err => { console.error(err); process.exit(1) })
