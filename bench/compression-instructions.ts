// bench/compression-instructions: CPU instructions per response of a sidecar under callgrind, compression off and on,
// for a 20 KB page that repeats (the memo answers it) and one that is new every time. Deterministic where
// requests/s on a shared machine are not: each sidecar is warmed up uninstrumented, then callgrind counts the
// instructions of `--requests` responses (4 at a time). Needs valgrind; one sidecar at a time, a few minutes each.
// Usage: node dist/bench/compression-instructions.js [--requests 1500] [--baseline /path/to/another/built/checkout]
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent, request } from 'undici'
import { freePort } from './lib/free-port.js'
import { startProcess, stopProcess, type Started } from './lib/processes.js'
import { benchArgs } from './lib/args.js'

const ROLES = fileURLToPath(new URL('./lib/compression-bench.js', import.meta.url))
const ACCEPT = 'gzip, deflate, br, zstd'
// Enough for V8 to have compiled the hot path and for the measured window to average over a few GCs.
const WARM_UP = 2000

async function burst (url: string, n: number, agent: Agent): Promise<number> {
  let i = 0
  let bytes = 0
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (i++ < n) {
      const res = await request(url, { headers: { 'accept-encoding': ACCEPT }, dispatcher: agent })
      bytes = (await res.body.arrayBuffer()).byteLength
    }
  }))
  return bytes
}

async function instructionsPerResponse (roles: string, role: string, upstream: string, requests: number): Promise<{ ir: number, bytes: number }> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'sipup-bench-cg-'))
  const child: ChildProcess = spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${join(dir, 'cg.out')}`,
    process.execPath, roles, '--role', role, '--port', String(port), '--upstream', upstream, '--quality', '2'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const agent = new Agent({ connections: 4 })
  try {
    await new Promise<void>((resolve, reject) => {
      let out = ''
      const onData = (c: Buffer): void => { out += c.toString(); if (out.includes(`ready ${role}`)) resolve() }
      child.stdout?.on('data', onData)
      child.stderr?.on('data', onData)
      child.once('exit', code => reject(new Error(`${role} exited with ${String(code)}:\n${out}`)))
    })
    const url = `http://127.0.0.1:${port}/catalog.php`
    await burst(url, WARM_UP, agent)
    execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' })
    const bytes = await burst(url, requests, agent)
    execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' })
    // The dump callgrind_control asked for is cg.out.1 (cg.out is written at exit, with the shutdown).
    const dump = readdirSync(dir).find(x => x === 'cg.out.1')
    const m = dump === undefined ? null : /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, dump), 'utf8'))
    return { ir: m === null ? NaN : Number(m[1]) / requests, bytes }
  } finally {
    await agent.close()
    await stopProcess(child)
  }
}

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/compression-instructions',
    summary: 'CPU instructions per response of a sidecar under callgrind, compression off and on, for a repeated and a new-every-time 20 KB page. Needs valgrind.',
    options: {
      requests: { type: 'int', default: 1500, description: 'responses counted per sidecar (4 at a time)' },
      baseline: { type: 'string', placeholder: '<dir>', description: 'another built checkout, measured too (compression on)' }
    }
  })
  const { requests } = values
  const [pPage, pUnique] = await Promise.all([freePort(), freePort()])
  const procs: Started[] = []
  try {
    procs.push(await startProcess(ROLES, ['--role', 'page', '--port', String(pPage)], /ready page/))
    procs.push(await startProcess(ROLES, ['--role', 'page-unique', '--port', String(pUnique)], /ready page-unique/))
    const page = `http://127.0.0.1:${pPage}`
    const unique = `http://127.0.0.1:${pUnique}`
    const runs: Array<[string, string, string, string]> = [
      ['off', ROLES, 'sidecar-off', page],
      ['on (memo on)', ROLES, 'sidecar-on', page],
      ['on, memo off', ROLES, 'sidecar-on-nomemo', page],
      ['on, unique bodies', ROLES, 'sidecar-on', unique]
    ]
    if (values.baseline !== undefined) runs.push(['on, baseline build', join(values.baseline, 'dist/bench/lib/compression-bench.js'), 'sidecar-on', page])
    const got = new Map<string, number>()
    for (const [name, roles, role, upstream] of runs) {
      const r = await instructionsPerResponse(roles, role, upstream, requests)
      got.set(name, r.ir)
      console.log(`${name.padEnd(20)} ${r.ir.toFixed(0).padStart(10)} instructions/response (${r.bytes} bytes each)`)
    }
    const off = got.get('off') ?? NaN
    for (const [name, ir] of got) if (name !== 'off') console.log(`${name}: ${(ir / off).toFixed(2)}x the instructions of off`)
    console.log(`headline: sidecar instructions per response, compression on / off = ${((got.get('on (memo on)') ?? NaN) / off).toFixed(2)}x ` +
      `(repeated 20 KB page), ${((got.get('on, unique bodies') ?? NaN) / off).toFixed(2)}x (every body new)`)
  } finally {
    await Promise.all(procs.map(p => p.stop()))
  }
}

main().catch(err => { console.error(err); process.exit(1) })
