// bench/hot-path-instructions: instructions per request of the hot-path parties (bench/hot-path.ts roles), counted
// by valgrind's callgrind in the server process (a count of instructions, not of time: cache misses and the
// kernel's syscall time are not in it). Each party runs alone under callgrind (about 50x slower), is warmed up
// uninstrumented, then instrumentation is switched on for a fixed number of requests (keep-alive, a few in flight)
// on the connections the warm-up opened. Counting on fresh connections (as this script once did) is what made it
// unsteady: the new sockets deoptimized Node's HTTP code, so the count ran baseline code and paid TurboFan for
// re-optimizing it (half the main thread's instructions, 458k-698k per hit across runs). On the warm connections,
// after 20,000 warm-up requests with --no-concurrent-recompilation, compilation is under 1% of the count and
// node:http, Fastify and the hit repeat within about 1%.
// The rate-limit parties send each request from one of 50,000 client IPs, as bench/hot-path does.
//   npm run build && node dist/bench/hot-path-instructions.js [--only hit,fastify] [--requests 2000] [--warmup 3000]
//     [--keep DIR] (keeps each party's callgrind file there, for callgrind_annotate) [--threads] (also per thread:
//     the main thread apart from V8's and libuv's workers, callgrind --separate-threads) [--node-flags "<flags>"]
//     (e.g. --no-concurrent-recompilation: TurboFan compiles on the main thread during the warm-up instead of on a
//     worker that callgrind's serialized threads starve, so the counted requests run optimized code)
//     [--baseline DIR] (also the hit of another built checkout, as role `hit@baseline`)
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
  nodeFlags: readonly string[]): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`,
      ...(threads ? ['--separate-threads=yes'] : []),
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

/** With --separate-threads the dump on request is <out>.1-01, -02, ... one per thread (01 the main thread). */
function threadIr (dir: string, out: string): number[] {
  const base = `${out.slice(dir.length + 1)}.1-`
  return readdirSync(dir).filter(f => f.startsWith(base)).sort()
    .map(f => totalIr(join(dir, f)))
}

interface Measured { ir: number, threads: number[] | null }

async function measure (name: string, upstream: string, dir: string, requests: number, warmup: number,
  threads: boolean, connections: number, nodeFlags: readonly string[], baseline: string | undefined): Promise<Measured> {
  const port = await freePort()
  const [role, of] = name.split('@')
  const script = of === 'baseline' && baseline !== undefined ? join(baseline, 'dist/bench/hot-path.js') : HOT_PATH
  const out = join(dir, `${name.replace('@', '-')}.callgrind`)
  const p = await startUnderCallgrind(script, role, port, upstream, out, threads, nodeFlags)
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
    return { ir: per.reduce((a, b) => a + b, 0), threads: per }
  }
  // The dump on request is written as <out>.1, the one at exit (nothing counted since) as <out>.
  return { ir: totalIr(`${out}.1`) / requests, threads: null }
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
      threads: { type: 'boolean', description: 'count each thread apart (callgrind --separate-threads): the main thread vs the workers' }
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
      const m = await measure(role, upstream, dir, requests, warmup, values.threads, values.connections, nodeFlags, values.baseline)
      results.push({ role, ...m })
      process.stderr.write(`  ${role.padEnd(12)} ${Math.round(m.ir)} instructions/request\n`)
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
    console.log(`${r.role.padEnd(12)} ${Math.round(r.ir).toString().padStart(9)}${per}`)
  }
  const of = (role: string): number => results.find(r => r.role === role)?.ir ?? NaN
  console.log(`headline: hit ${(of('hit') / of('fastify')).toFixed(2)}x bare Fastify's instructions, ` +
    `limiter (rl-memory - rl-off) ${Math.round(of('rl-memory') - of('rl-off'))} instructions/request`)
}

main().catch(err => { console.error(err); process.exit(1) })
