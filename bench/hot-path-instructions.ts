// bench/hot-path-instructions: instructions per request of the hot-path parties (bench/hot-path.ts roles), counted
// by valgrind's callgrind in the server process (a count of instructions, not of time: cache misses and the
// kernel's syscall time are not in it). Each party runs alone under callgrind (about 50x slower), is warmed up
// uninstrumented, then instrumentation is switched on for a fixed number of requests (keep-alive, a few in flight)
// on the connections the warm-up opened. Counting on fresh connections (as this script once did) is what made it
// unsteady: the new sockets deoptimized Node's HTTP code, so the count ran baseline code and paid TurboFan for
// re-optimizing it (half the main thread's instructions, 458k-698k per hit across runs). On the warm connections,
// after 20,000 warm-up requests with --no-concurrent-recompilation, node:http, Fastify and the hit repeat within
// about 1-2%. A one-off deoptimization can still fall into the count (a value the warm-up never showed a function):
// the TurboFan share (Runtime_CompileOptimized, inclusive) is printed and left out of the headline.
// The rate-limit parties send each request from one of 50,000 client IPs, as bench/hot-path does.
//   npm run build && node dist/bench/hot-path-instructions.js [--only hit,fastify] [--requests 2000] [--warmup 3000]
//     [--keep DIR] (keeps each party's callgrind file there, for callgrind_annotate) [--threads] (also per thread:
//     the main thread apart from V8's and libuv's workers, callgrind --separate-threads) [--node-flags "<flags>"]
//     (e.g. --no-concurrent-recompilation: TurboFan compiles on the main thread during the warm-up instead of on a
//     worker that callgrind's serialized threads starve, so the counted requests run optimized code)
//     [--baseline DIR] (also the hit of another built checkout, as role `hit@baseline`) [--cache-sim] (also
//     callgrind's simulated L1 / last-level cache misses per request: what an instruction count leaves out)
// Needs valgrind (callgrind_control); the origin runs without it.
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Pool } from 'undici'
import { startProcess, stopProcess, waitFor, type Started } from './lib/processes.js'
import { freePort } from './lib/free-port.js'
import { benchArgs } from './lib/args.js'

const HOT_PATH = join(fileURLToPath(new URL('.', import.meta.url)), 'hot-path.js')
const run = promisify(execFile)
const CLIENTS = 50_000
const ROLES = ['node-http', 'fastify', 'hit', 'pass', 'rl-off', 'rl-memory']

function ipOf (i: number): string {
  const c = i % CLIENTS
  return `10.${(c >> 16) & 255}.${(c >> 8) & 255}.${c & 255}`
}

async function load (pool: Pool, path: string, n: number, manyClients: boolean, offset: number, connections: number): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++
      const res = await pool.request({ path, method: 'GET', headers: manyClients ? { 'x-forwarded-for': ipOf(offset + i * 7919) } : {} })
      await res.body.arrayBuffer()
      if (res.statusCode !== 200) throw new Error(`${path}: status ${res.statusCode}`)
    }
  }
  await Promise.all(Array.from({ length: connections }, worker))
}

/** Starts `role` under callgrind with instrumentation off; resolves when it listens. */
function startUnderCallgrind (script: string, role: string, port: number, upstream: string, out: string, threads: boolean,
  nodeFlags: readonly string[], cacheSim: boolean): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`,
      ...(threads ? ['--separate-threads=yes'] : []),
      ...(cacheSim ? ['--cache-sim=yes'] : []),
      process.execPath, ...nodeFlags, script, '--role', role, '--port', String(port), '--upstream', upstream, '--prefix', 'bench:ins:'],
    { stdio: ['ignore', 'pipe', 'pipe'] })
    let text = ''
    const onData = (c: Buffer): void => {
      text += c.toString()
      if (text.includes(`ready ${role}`)) resolve({ child, stop: () => stopProcess(child) })
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', code => reject(new Error(`${role} under callgrind exited with ${String(code)}:\n${text.slice(-2000)}`)))
  })
}

/** Total instructions (Ir) in a callgrind output file. */
function totalIr (file: string): number {
  const text = readFileSync(file, 'utf8')
  // `totals:` counts what was collected; `summary:` stays 0 when instrumentation was off at the start.
  const m = /^totals: (\d+)/m.exec(text)
  if (m === null) throw new Error(`no totals in ${file}`)
  return Number(m[1])
}

/** Every event's total in a callgrind output file (with --cache-sim: Ir, I1mr, ILmr, Dr, D1mr, DLmr, Dw, D1mw, DLmw). */
function eventTotals (file: string): Record<string, number> {
  const text = readFileSync(file, 'utf8')
  const names = /^events: (.*)$/m.exec(text)?.[1].trim().split(/\s+/) ?? []
  const values = /^totals: (.*)$/m.exec(text)?.[1].trim().split(/\s+/).map(Number) ?? []
  return Object.fromEntries(names.map((n, i) => [n, values[i] ?? 0]))
}

/** With --separate-threads the dump on request is <out>.1-01, -02, ... one per thread (01 the main thread). */
function threadIr (dir: string, out: string): number[] {
  const base = `${out.slice(dir.length + 1)}.1-`
  return readdirSync(dir).filter(f => f.startsWith(base)).sort()
    .map(f => totalIr(join(dir, f)))
}

/** Simulated cache misses per request (--cache-sim): first-level instruction + data, and last-level. */
interface Misses { l1: number, ll: number }

interface Measured { ir: number, threads: number[] | null, misses: Misses | null, compile: number }

/** Instructions per request spent compiling optimized code (Runtime_CompileOptimized, inclusive): a one-off that
 * still lands in the count now and then (a function deoptimized once by a value the warm-up never showed it, such as
 * an Age that reached two digits), not a per-request cost. */
async function compileIr (file: string, requests: number): Promise<number> {
  const { stdout } = await run('callgrind_annotate', ['--inclusive=yes', '--threshold=100', file], { maxBuffer: 256 * 1024 * 1024 })
  const line = stdout.split('\n').find(l => l.includes('v8::internal::Runtime_CompileOptimized('))
  return line === undefined ? 0 : Number(line.trim().split(/\s+/)[0].replace(/,/g, '')) / requests
}

function missesOf (file: string, requests: number): Misses {
  const e = eventTotals(file)
  return {
    l1: ((e.I1mr ?? 0) + (e.D1mr ?? 0) + (e.D1mw ?? 0)) / requests,
    ll: ((e.ILmr ?? 0) + (e.DLmr ?? 0) + (e.DLmw ?? 0)) / requests
  }
}

async function measure (name: string, upstream: string, dir: string, requests: number, warmup: number,
  threads: boolean, connections: number, nodeFlags: readonly string[], baseline: string | undefined, cacheSim: boolean): Promise<Measured> {
  const port = await freePort()
  const [role, of] = name.split('@')
  const script = of === 'baseline' && baseline !== undefined ? join(baseline, 'dist/bench/hot-path.js') : HOT_PATH
  const out = join(dir, `${name.replace('@', '-')}.callgrind`)
  const p = await startUnderCallgrind(script, role, port, upstream, out, threads, nodeFlags, cacheSim)
  const pid = p.child.pid as number
  try {
    const url = `http://127.0.0.1:${port}/fast`
    await waitFor(url)
    const many = role.startsWith('rl-')
    // One pool for the warm-up and the counted requests: new connections for the counted part deoptimized Node's
    // HTTP code (a socket of another map), so the count ran baseline code and re-optimized it.
    const pool = new Pool(new URL(url).origin, { connections })
    try {
      await load(pool, '/fast', warmup, many, 0, connections)
      await run('callgrind_control', ['--zero', String(pid)])
      await run('callgrind_control', ['--instr=on', String(pid)])
      await load(pool, '/fast', requests, many, warmup, connections)
      await run('callgrind_control', ['--instr=off', String(pid)])
      await run('callgrind_control', ['--dump', String(pid)])
    } finally {
      await pool.close()
    }
  } finally {
    await p.stop()
  }
  if (threads) {
    const per = threadIr(dir, out).map(ir => ir / requests)
    const main = join(dir, `${out.slice(dir.length + 1)}.1-01`)
    return { ir: per.reduce((a, b) => a + b, 0), threads: per, misses: cacheSim ? missesOf(main, requests) : null, compile: await compileIr(main, requests) }
  }
  // The dump on request is written as <out>.1, the one at exit (nothing counted since) as <out>.
  const file = `${out}.1`
  return { ir: totalIr(file) / requests, threads: null, misses: cacheSim ? missesOf(file, requests) : null, compile: await compileIr(file, requests) }
}

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/hot-path-instructions',
    summary: 'Instructions per request of the hot-path parties (bench/hot-path\'s roles), counted by valgrind\'s callgrind in the server process. Needs valgrind.',
    options: {
      only: { type: 'string', placeholder: '<role,role>', description: 'run only these parties (default: all)' },
      requests: { type: 'int', default: 2000, description: 'requests counted per party' },
      warmup: { type: 'int', min: 0, default: 3000, description: 'uninstrumented requests before counting' },
      keep: { type: 'string', placeholder: '<dir>', description: 'keep each party\'s callgrind file there (default: a temporary directory, removed)' },
      'node-flags': { type: 'string', placeholder: '<flags>', description: 'node/V8 flags for the measured parties' },
      baseline: { type: 'string', placeholder: '<dir>', description: 'another built checkout: its hit is measured too (hit@baseline)' },
      connections: { type: 'int', default: 4, description: 'keep-alive connections, each with one request in flight' },
      threads: { type: 'boolean', description: 'count each thread apart (callgrind --separate-threads): the main thread vs the workers' },
      'cache-sim': { type: 'boolean', description: 'also simulate the caches (callgrind --cache-sim): L1 and last-level misses per request (of the main thread with --threads)' }
    }
  })
  const roles = values.only === undefined ? [...ROLES] : values.only.split(',')
  if (values.baseline !== undefined && !roles.includes('hit@baseline')) roles.push('hit@baseline')
  const nodeFlags = (values['node-flags'] ?? '').split(/\s+/).filter(s => s !== '')
  const { requests, warmup } = values
  const dir = values.keep ?? mkdtempSync(join(tmpdir(), 'sipup-hot-ins-'))
  const po = await freePort()
  const origin = await startProcess(HOT_PATH, ['--role', 'origin', '--port', String(po)], /ready origin/)
  const upstream = `http://127.0.0.1:${po}`
  const results: Array<{ role: string } & Measured> = []
  try {
    for (const role of roles) {
      const m = await measure(role, upstream, dir, requests, warmup, values.threads, values.connections, nodeFlags, values.baseline,
        values['cache-sim'])
      results.push({ role, ...m })
      process.stderr.write(`  ${role.padEnd(12)} ${Math.round(m.ir)} instructions/request (${Math.round(m.compile)} of them TurboFan)\n`)
    }
  } finally {
    await origin.stop()
    if (values.keep === undefined) rmSync(dir, { recursive: true, force: true })
  }
  console.log(`bench/hot-path-instructions: GET /fast (4 KB page), callgrind instructions per request in the server process, ` +
    `${warmup} warm-up + ${requests} counted requests, ${values.connections} keep-alive connections`)
  for (const r of results) {
    // Threads in creation order: main, V8's platform workers (GC helpers, concurrent marking/compiling), then
    // Node's helpers and libuv's pool; threads that ran nothing while counted have no file.
    const per = r.threads === null ? '' : `   main ${Math.round(r.threads[0])}, other threads ${Math.round(r.ir - r.threads[0])} ` +
      `(${r.threads.slice(1).map(x => Math.round(x)).join(' ')})`
    const misses = r.misses === null ? '' : `   L1 misses ${Math.round(r.misses.l1)}, LL misses ${Math.round(r.misses.ll)}`
    const steady = `   without TurboFan ${Math.round(r.ir - r.compile)}`
    console.log(`${r.role.padEnd(12)} ${Math.round(r.ir).toString().padStart(9)}${steady}${per}${misses}`)
  }
  const of = (role: string): number => {
    const r = results.find(x => x.role === role)
    return r === undefined ? NaN : r.ir - r.compile
  }
  console.log(`headline (without TurboFan): hit ${(of('hit') / of('fastify')).toFixed(2)}x bare Fastify's instructions, ` +
    `${(of('hit') / of('node-http')).toFixed(2)}x bare node:http's, ${(of('hit') / of('hit@baseline')).toFixed(2)}x the baseline hit's; ` +
    `limiter (rl-memory - rl-off) ${Math.round(of('rl-memory') - of('rl-off'))} instructions/request`)
}

main().catch(err => { console.error(err); process.exit(1) })
