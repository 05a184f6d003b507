// bench/passthrough-syscalls: system calls per pass-through response of the sidecar (bench/hot-path's `pass` role,
// GET /fast, a 4 KB page with a Content-Length), counted by `strace -c -f` attached to the sidecar process (all its
// threads) for a fixed number of requests after an uninstrumented warm-up. A count, not a time: it does not depend on
// who else uses the machine (strace slows the sidecar down, which changes how many responses share one epoll_wait,
// so compare builds run the same way). `--compress` asks for gzip (proxy.compression is on by default): the 4 KB
// page is compressed whole and sent with its compressed length.
// Usage: node dist/bench/passthrough-syscalls.js [--requests 2000] [--connections 4] [--path /fast]
//   [--baseline /path/to/another/built/checkout]
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchArgs } from './lib/args.js'
import { Pool } from 'undici'
import { freePort } from './lib/free-port.js'
import { startProcess, waitFor, type Started } from './lib/processes.js'

const HOT_PATH = fileURLToPath(new URL('./hot-path.js', import.meta.url))

async function load (url: string, n: number, connections: number, accept: string | null): Promise<void> {
  const u = new URL(url)
  const pool = new Pool(u.origin, { connections })
  let next = 0
  const headers = accept === null ? {} : { 'accept-encoding': accept }
  const worker = async (): Promise<void> => {
    while (next++ < n) {
      const res = await pool.request({ path: u.pathname, method: 'GET', headers })
      await res.body.arrayBuffer()
      if (res.statusCode !== 200) throw new Error(`${url}: status ${res.statusCode}`)
    }
  }
  try {
    await Promise.all(Array.from({ length: connections }, worker))
  } finally {
    await pool.close()
  }
}

interface Counts { total: number, byCall: Map<string, number> }

/** Parses `strace -c` output: per-syscall call counts. */
function parseSummary (text: string): Counts {
  const byCall = new Map<string, number>()
  let total = 0
  for (const line of text.split('\n')) {
    // % time  seconds  usecs/call  calls  [errors]  syscall
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?([a-z_0-9]+)\s*$/.exec(line)
    if (m === null || m[2] === 'total') continue
    byCall.set(m[2], Number(m[1]))
    total += Number(m[1])
  }
  return { total, byCall }
}

async function measure (script: string, role: string, upstream: string, requests: number, connections: number,
  accept: string | null): Promise<Counts> {
  const port = await freePort()
  const p: Started = await startProcess(script, ['--role', role, '--port', String(port), '--upstream', upstream], new RegExp(`ready ${role}`))
  try {
    const url = `http://127.0.0.1:${port}/fast`
    await waitFor(url)
    await load(url, 3000, connections, accept)
    const strace = spawn('strace', ['-c', '-f', '-p', String(p.child.pid)], { stdio: ['ignore', 'ignore', 'pipe'] })
    let text = ''
    strace.stderr.on('data', (c: Buffer) => { text += c.toString() })
    // strace prints "Process N attached" per thread once it is in.
    await new Promise(resolve => setTimeout(resolve, 1000))
    await load(url, requests, connections, accept)
    const done = new Promise(resolve => strace.once('exit', resolve))
    strace.kill('SIGINT')
    await done
    return parseSummary(text)
  } finally {
    await p.stop()
  }
}

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/passthrough-syscalls',
    summary: 'System calls per request of the sidecar\'s pass-through of a 4 KB page (strace -c -f), this build and optionally another. Needs strace.',
    options: {
      requests: { type: 'int', default: 2000, description: 'requests counted' },
      connections: { type: 'int', default: 4, description: 'keep-alive connections' },
      baseline: { type: 'string', placeholder: '<dir>', description: 'another built checkout, measured too' },
      compress: { type: 'boolean', description: 'ask for gzip (the compressing pass-through)' }
    }
  })
  const { requests, connections } = values
  const role = 'pass'
  const accept = values.compress ? 'gzip' : null
  const po = await freePort()
  const origin = await startProcess(HOT_PATH, ['--role', 'origin', '--port', String(po)], /ready origin/)
  const builds: Array<[string, string]> = [['this build', HOT_PATH]]
  if (values.baseline !== undefined) builds.push(['baseline', join(values.baseline, 'dist/bench/hot-path.js')])
  try {
    const got: Array<[string, Counts]> = []
    for (const [name, script] of builds) got.push([name, await measure(script, role, `http://127.0.0.1:${po}`, requests, connections, accept)])
    console.log(`bench/passthrough-syscalls: GET /fast (4 KB page) through the sidecar (${accept === null ? 'identity' : 'gzip'}), strace -c -f, ${requests} requests ` +
      `on ${connections} keep-alive connections after 3000 uninstrumented; system calls per request`)
    const names = [...new Set(got.flatMap(([, c]) => [...c.byCall.keys()]))]
      .sort((a, b) => (got[0][1].byCall.get(b) ?? 0) - (got[0][1].byCall.get(a) ?? 0))
    console.log(`${'syscall'.padEnd(18)} ${got.map(([n]) => n.padStart(12)).join(' ')}`)
    for (const n of names) {
      const row = got.map(([, c]) => ((c.byCall.get(n) ?? 0) / requests).toFixed(2).padStart(12)).join(' ')
      if (got.some(([, c]) => (c.byCall.get(n) ?? 0) / requests >= 0.01)) console.log(`${n.padEnd(18)} ${row}`)
    }
    console.log(`${'total'.padEnd(18)} ${got.map(([, c]) => (c.total / requests).toFixed(2).padStart(12)).join(' ')}`)
  } finally {
    await origin.stop()
  }
}

main().catch(err => { console.error(err); process.exit(1) })
