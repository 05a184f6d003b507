// bench/edge-hit-cpu: CPU µs per TLS cache hit of the server process over a fixed number of requests (h2load -n,
// HTTPS/1.1 with --h1 and HTTP/2), rounds interleaved, medians. A fixed count instead of a duration: on a shared
// machine the rate varies with who else runs, the CPU a request costs much less. Parties: nginx proxy_cache (its
// worker), the sidecar (http2: true, the edge-hit roles), a --baseline build's sidecar, and bare Node servers sending
// the same 4 KB page: node:https, node:http2 through its compat API, node:http2's stream API (HTTP/2 only).
// Usage: node dist/bench/edge-hit-cpu.js [--rounds 7] [--requests 30000] [--connections 16] [--streams 10] [--baseline <edge-hit.js>]
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median } from './lib/wrk.js'
import { startProcess, type Started } from './lib/processes.js'
import { freePort } from './lib/free-port.js'
import { startNginx } from './lib/nginx.js'
import { makeCert } from './lib/cert.js'
import { cpuMs } from './lib/cpu.js'
import { benchArgs } from './lib/args.js'

const BOTH: readonly Protocol[] = ['h1', 'h2']
const EDGE_HIT = join(fileURLToPath(new URL('.', import.meta.url)), 'edge-hit.js')

type Protocol = 'h1' | 'h2'

/** `protocols`: what the party speaks (node:https has no HTTP/2, the stream-API server no HTTP/1.1). */
interface Party { name: string, url: string, pid: () => number | undefined, protocols: readonly Protocol[], us: Record<Protocol, number[]> }

function nginxWorker (master: number | undefined): number | undefined {
  try {
    const kids = readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim().split(/\s+/)
    return kids[0] === '' ? undefined : Number(kids[0])
  } catch { return undefined }
}

/** h2load for exactly `n` requests; throws unless all succeeded. */
function h2load (url: string, n: number, h1: boolean, connections: number, streams: number): void {
  const args = h1 ? ['--h1', '-c', String(connections), '-m', '1'] : ['-c', String(connections), '-m', String(streams)]
  const out = execFileSync('h2load', [...args, '-n', String(n), url], { encoding: 'utf8', timeout: 120_000 })
  const ok = /(\d+) succeeded/.exec(out)
  if (ok === null || Number(ok[1]) !== n) throw new Error(`h2load ${h1 ? '--h1 ' : ''}${url}: ${ok === null ? 'no figures' : `${ok[1]} of ${n} succeeded`}\n${out}`)
}

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/edge-hit-cpu',
    summary: 'CPU µs per TLS cache hit over a fixed request count (h2load -n, HTTPS/1.1 and HTTP/2): nginx, the sidecar, bare Node servers.',
    options: {
      rounds: { type: 'int', default: 7, description: 'interleaved rounds; figures are medians' },
      requests: { type: 'int', default: 30_000, description: 'requests per party, protocol and round (h2load -n)' },
      connections: { type: 'int', default: 16, description: 'h2load -c' },
      streams: { type: 'int', default: 10, description: 'HTTP/2 streams in flight per connection (h2load -m)' },
      baseline: { type: 'string', placeholder: '<edge-hit.js>', description: 'another build\'s dist/bench/edge-hit.js, whose sidecar-h2 role runs as one more party' }
    }
  })
  const { rounds, requests, connections, streams } = values
  const dir = mkdtempSync(join(tmpdir(), 'sipup-bench-edge-hit-cpu-'))
  const { cert, key } = makeCert(dir)
  const procs: Started[] = []
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => { void Promise.all(procs.map(p => p.stop())).then(() => process.exit(130)) })
  }
  const parties: Party[] = []
  try {
    const po = await freePort()
    procs.push(await startProcess(EDGE_HIT, ['--role', 'origin', '--port', String(po)], /ready origin/))
    const files = ['--upstream', `http://127.0.0.1:${po}`, '--cert', cert, '--key', key]
    const node = async (name: string, script: string, role: string, protocols: readonly Protocol[], server?: object): Promise<void> => {
      const port = await freePort()
      const extra = server === undefined ? [] : ['--server', JSON.stringify(server)]
      const p = await startProcess(script, ['--role', role, '--port', String(port), ...files, ...extra], new RegExp(`ready ${role}`))
      procs.push(p)
      parties.push({ name, url: `https://localhost:${port}/fast`, pid: () => p.child.pid, protocols, us: { h1: [], h2: [] } })
    }
    const port = await freePort()
    const g = startNginx({ dir, port, upstreamPort: po, cache: true, tls: { cert, key } })
    if (g === null) throw new Error('nginx not installed (apt-get install nginx-light)')
    procs.push(g)
    parties.push({ name: 'nginx proxy_cache', url: `https://localhost:${port}/fast`, pid: () => nginxWorker(g.child.pid), protocols: BOTH, us: { h1: [], h2: [] } })
    const tls = { tls: { cert, key }, http2: true }
    await node('sidecar hit (http2: true)', EDGE_HIT, 'sidecar-h2', BOTH, tls)
    if (values.baseline !== undefined) await node('sidecar hit, baseline build', values.baseline, 'sidecar-h2', BOTH, tls)
    await node('bare node:https', EDGE_HIT, 'bare-https', ['h1'])
    await node('bare node:http2 compat', EDGE_HIT, 'bare-h2-nodelay', BOTH)
    await node('bare node:http2 stream API', EDGE_HIT, 'bare-h2-stream', ['h2'])
    await new Promise(resolve => setTimeout(resolve, 500))
    for (const p of parties) {
      // Warm-up: the miss that fills the cache, then enough hits for the JIT.
      for (const proto of p.protocols) h2load(p.url, 3000, proto === 'h1', connections, streams)
    }
    for (let r = 0; r < rounds; r++) {
      for (const p of parties) {
        for (const proto of p.protocols) {
          const h1 = proto === 'h1'
          const pid = p.pid()
          const c0 = cpuMs(pid)
          h2load(p.url, requests, h1, connections, streams)
          const us = (cpuMs(pid) - c0) * 1000 / requests
          p.us[proto].push(us)
          process.stderr.write(`  round ${r + 1}/${rounds} ${p.name.padEnd(30)} ${h1 ? 'HTTPS/1.1' : 'HTTP/2   '} ${us.toFixed(1).padStart(6)} µs/req\n`)
        }
      }
    }
    console.log(`bench/edge-hit-cpu: demo shop /fast (4 KB) cache hit, same self-signed EC certificate, h2load -n ${requests} -c ${connections} ` +
      `(HTTP/2 -m ${streams}), ${rounds} interleaved rounds, medians of the server process's CPU µs per request`)
    const ng = parties[0]
    console.log(`${'party'.padEnd(30)} ${'HTTPS/1.1'.padStart(10)} ${'nginx/x'.padStart(8)} ${'HTTP/2'.padStart(10)} ${'nginx/x'.padStart(8)}`)
    for (const p of parties) {
      const h1 = p.protocols.includes('h1') ? median(p.us.h1) : NaN
      const h2 = p.protocols.includes('h2') ? median(p.us.h2) : NaN
      const cell = (x: number, n: number): string => Number.isNaN(x) ? `${'-'.padStart(10)} ${'-'.padStart(8)}` : `${x.toFixed(1).padStart(10)} ${(n / x).toFixed(2).padStart(7)}x`
      console.log(`${p.name.padEnd(30)} ${cell(h1, median(ng.us.h1))} ${cell(h2, median(ng.us.h2))}`)
    }
    console.log('nginx/x: nginx\'s CPU per request over the party\'s, the throughput ratio a CPU-bound single-process server would reach')
  } finally {
    await Promise.all(procs.map(p => p.stop()))
  }
}

main().catch(err => { console.error(err); process.exit(1) })
