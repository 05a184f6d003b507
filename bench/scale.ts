// bench/scale: what a second worker buys on the hit path, side by side in one run (rounds interleaved, medians):
// the sidecar with server.workers 1 and 2 (the real CLI, a memory cache holding the page) against nginx
// proxy_cache with worker_processes 1 and 2, all in front of the same origin. The load generator (wrk) shares the
// cores, so its CPU per request is printed too: on a 2-core machine it takes a share the second worker can't have.
// Usage: npm run build && node dist/bench/scale.js [--rounds 5] [--seconds 5] [--connections 64] [--threads 1]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, wrk, type WrkResult } from './lib/wrk.js'
import { startProcess, waitFor, type Started } from './lib/processes.js'
import { freePort } from './lib/free-port.js'
import { announceReady, startOriginRole } from './lib/roles.js'
import { startNginx } from './lib/nginx.js'
import { benchArgs, ROLE_OPTIONS } from './lib/args.js'

const SELF = fileURLToPath(import.meta.url)
const CLI = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'src', 'cli', 'index.js')

/** CPU (user + system, ms) of the children this process has waited for: the wrk runs. */
function childrenCpuMs (): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')
  return (Number(f[13]) + Number(f[14])) * 10
}

async function sidecar (dir: string, port: number, upstream: string, workers: number): Promise<Started> {
  const file = join(dir, `sidecar-${workers}.yaml`)
  writeFileSync(file, `server:
  host: 127.0.0.1
  port: ${port}
  workers: ${workers}
upstream:
  url: ${upstream}
redis:
  enabled: false
log:
  level: warn
  requests: false
admin:
  enabled: false
rateLimit:
  enabled: false
metrics:
  enabled: false
cache:
  enabled: true
  store: memory
  rules:
    - name: fast
      path: /fast
      ttl: 1h
      override: true
`)
  return await startProcess(CLI, ['start', '-c', file], workers > 1 ? /workers listening/ : /listening on/)
}

interface Party { name: string, url: string, runs: WrkResult[], wrkUsPerReq: number[] }

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/scale',
    summary: 'What a second worker buys on the hit path (rounds interleaved, medians): the sidecar with server.workers 1 and 2 vs nginx proxy_cache with 1 and 2 worker processes. Needs wrk and nginx.',
    options: {
      rounds: { type: 'int', default: 5, description: 'interleaved rounds; figures are medians' },
      seconds: { type: 'int', default: 5, description: 'seconds of load per party and round (wrk -d)' },
      connections: { type: 'int', default: 64, description: 'connections the load generator keeps open (wrk -c)' },
      threads: { type: 'int', default: 1, description: 'wrk threads (wrk -t)' },
      ...ROLE_OPTIONS
    }
  })
  if (values.role === 'origin') {
    await startOriginRole(values.port)
    announceReady('origin')
    return
  }
  const { rounds, seconds, connections, threads } = values
  const dir = mkdtempSync(join(tmpdir(), 'sipup-scale-'))
  const [po, p1, p2, n1, n2] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()])
  const upstream = `http://127.0.0.1:${po}`
  const procs: Started[] = []
  try {
    procs.push(await startProcess(SELF, ['--role', 'origin', '--port', String(po)], /ready origin/))
    procs.push(await sidecar(dir, p1, upstream, 1))
    procs.push(await sidecar(dir, p2, upstream, 2))
    const parties: Party[] = [
      { name: 'sidecar workers: 1', url: `http://127.0.0.1:${p1}/fast`, runs: [], wrkUsPerReq: [] },
      { name: 'sidecar workers: 2', url: `http://127.0.0.1:${p2}/fast`, runs: [], wrkUsPerReq: [] }
    ]
    const g1 = startNginx({ dir, port: n1, upstreamPort: po, workers: 1, cache: true })
    const g2 = startNginx({ dir, port: n2, upstreamPort: po, workers: 2, cache: true })
    if (g1 !== null && g2 !== null) {
      procs.push(g1, g2)
      parties.push({ name: 'nginx proxy_cache, 1 worker', url: `http://127.0.0.1:${n1}/fast`, runs: [], wrkUsPerReq: [] })
      parties.push({ name: 'nginx proxy_cache, 2 workers', url: `http://127.0.0.1:${n2}/fast`, runs: [], wrkUsPerReq: [] })
    }
    for (const p of parties) await waitFor(p.url).catch((err: Error) => { throw new Error(`${p.name}: ${err.message}`) })
    process.stderr.write('warm-up (2 s each)\n')
    for (const p of parties) await wrk(p.url, { connections, seconds: 2, threads })
    for (let r = 0; r < rounds; r++) {
      for (const p of parties) {
        const before = childrenCpuMs()
        const res = await wrk(p.url, { connections, seconds, threads })
        const requests = res.rps * seconds
        p.runs.push(res)
        p.wrkUsPerReq.push((childrenCpuMs() - before) * 1000 / requests)
        process.stderr.write(`  round ${r + 1}/${rounds} ${p.name.padEnd(30)} ${res.rps.toFixed(0).padStart(7)} req/s${res.errors > 0 ? `  errors ${res.errors}` : ''}\n`)
      }
    }
    console.log(`bench/scale: cache hit GET /fast (4 KB), wrk -t${threads} -c${connections} -d${seconds}s, ${rounds} interleaved rounds, medians`)
    if (g1 === null) console.log('nginx: not installed (apt-get install nginx), skipped')
    console.log(`${'target'.padEnd(32)} ${'req/s'.padStart(9)} ${'p99 ms'.padStart(8)} ${'wrk CPU us/req'.padStart(15)}`)
    for (const p of parties) {
      console.log(`${p.name.padEnd(32)} ${median(p.runs.map(x => x.rps)).toFixed(0).padStart(9)} ${median(p.runs.map(x => x.p99ms)).toFixed(2).padStart(8)} ${median(p.wrkUsPerReq).toFixed(1).padStart(15)}`)
    }
    const perRound = (a: Party, b: Party): number[] => a.runs.map((x, i) => x.rps / b.runs[i].rps)
    const sidecarGain = median(perRound(parties[1], parties[0]))
    console.log(`sidecar gain 1 -> 2 workers: ${sidecarGain.toFixed(2)}x (median of per-round ratios)`)
    if (parties.length === 4) {
      const nginxGain = median(perRound(parties[3], parties[2]))
      const vsNginx = median(perRound(parties[1], parties[3]))
      console.log(`nginx gain 1 -> 2 workers: ${nginxGain.toFixed(2)}x`)
      console.log(`sidecar 2 workers / nginx 2 workers: ${vsNginx.toFixed(2)}x (target >= 0.7x)`)
      console.log(`headline: sidecar gain ${sidecarGain.toFixed(2)}x vs nginx gain ${nginxGain.toFixed(2)}x from 1 to 2 workers (target: at least nginx's); sidecar 2w = ${vsNginx.toFixed(2)}x nginx 2w`)
    } else {
      console.log(`headline: sidecar gain ${sidecarGain.toFixed(2)}x from 1 to 2 workers (nginx not installed for the comparison)`)
    }
  } finally {
    await Promise.all(procs.map(p => p.stop()))
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch(err => { console.error(err); process.exit(1) })
