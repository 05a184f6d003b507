// bench/edge: the sidecar as the public server, side by side with nginx holding the same certificate, in one run
// (rounds interleaved, medians, per-round ratios): a cache hit and a pass-through of the demo shop's /fast page,
// over HTTPS/1.1 (wrk) and HTTP/2 (h2load, Debian's nghttp2-client). The machine is shared: read ratios, not req/s.
// Usage: node dist/bench/edge.js [--rounds 3] [--seconds 3] [--connections 32] [--streams 10]
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import https from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { median, wrk } from './lib/wrk.js'
import { startProcess, type Started } from './lib/processes.js'
import { freePort } from './lib/free-port.js'
import { announceReady, startOriginRole, startSidecarRole } from './lib/roles.js'
import { startNginx } from './lib/nginx.js'
import { makeCert } from './lib/cert.js'
import { benchArgs, ROLE_OPTIONS } from './lib/args.js'

const SELF = fileURLToPath(import.meta.url)

/** Figures another bench adds to this one's output (the compression bench: bytes saved, its req/s cost). */
export interface EdgeExtension { lines(): Promise<string[]> }

/** Optional: ./lib/compression-bench.js, when present, exports `edgeExtension` and its lines print before the headline. */
async function loadExtension (): Promise<EdgeExtension | null> {
  const file = join(fileURLToPath(new URL('.', import.meta.url)), 'lib', 'compression-bench.js')
  if (!existsSync(file)) return null
  const mod = await import(pathToFileURL(file).href) as { edgeExtension?: EdgeExtension }
  return mod.edgeExtension ?? null
}

async function role (name: string, port: number, upstream: string, cert: string, key: string): Promise<void> {
  if (name === 'origin') {
    await startOriginRole(port)
  } else {
    const tls = { tls: { cert, key }, http2: true, host: '127.0.0.1', port }
    const cache = name === 'sidecar-hit'
      ? { enabled: true, store: 'memory', rules: [{ name: 'fast', path: '/fast', ttl: '1h', override: true }] }
      : { enabled: false }
    await startSidecarRole(port, upstream, { server: tls, cache })
  }
  announceReady(name)
}

function waitHttps (url: string): Promise<void> {
  const until = Date.now() + 20_000
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      https.get(url, { rejectUnauthorized: false }, res => { res.resume(); res.on('end', () => resolve()) })
        .on('error', err => { if (Date.now() > until) reject(err); else setTimeout(attempt, 200) })
    }
    attempt()
  })
}

/** Runs that gave no figure (h2load hung, failed requests, no h2), printed with the results. */
const problems: string[] = []

/** h2load's req/s over the main duration (the warm-up not counted), NaN (and a line in `problems`) when the run
 * is not a figure:
 * - it did not speak h2 (ALPN);
 * - requests failed: a server closing connections early (nginx's keepalive_requests) shows as failures, and h2load
 *   does not reconnect, so its req/s would quietly fall instead;
 * - it hung: after the duration h2load waits for every stream in flight, without a bound of its own. */
function h2load (url: string, connections: number, streams: number, seconds: number): number {
  let out: string
  try {
    out = execFileSync('h2load', ['-c', String(connections), '-m', String(streams), '-D', String(seconds), '--warm-up-time=1', url],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, timeout: (seconds + 31) * 1000, killSignal: 'SIGKILL' })
  } catch (err) {
    problems.push(`h2load ${url}: ${(err as { signal?: string }).signal === 'SIGKILL' ? `still running ${seconds + 31} s after start, killed` : (err as Error).message}`)
    return NaN
  }
  const proto = /Application protocol: (\S+)/.exec(out)?.[1]
  const counts = /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed/.exec(out)
  const m = /finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out)
  if (proto !== 'h2') problems.push(`h2load ${url}: negotiated '${proto ?? 'nothing'}', expected h2`)
  else if (counts === null || m === null) problems.push(`h2load ${url}: no figures in its output`)
  else if (Number(counts[4]) > 0) problems.push(`h2load ${url}: ${counts[4]} of ${counts[1]} requests failed`)
  else return Number(m[1])
  return NaN
}

interface Pair { label: string, proto: 'h1' | 'h2', sidecar: string, nginx: string }

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/edge',
    summary: 'The sidecar as the public server beside nginx with the same certificate: a cache hit and a pass-through over HTTPS/1.1 (wrk) and HTTP/2 (h2load). Read ratios, not req/s.',
    options: {
      rounds: { type: 'int', default: 3, description: 'interleaved rounds; figures are medians' },
      seconds: { type: 'int', default: 3, description: 'seconds of load per party and round (wrk -d)' },
      connections: { type: 'int', default: 32, description: 'connections the load generator keeps open (wrk -c)' },
      streams: { type: 'int', default: 10, description: 'HTTP/2 streams per connection (h2load -m)' },
      ...ROLE_OPTIONS,
      upstream: { type: 'string', placeholder: '<url>', internal: true, description: 'the origin to proxy to' },
      cert: { type: 'string', placeholder: '<file>', internal: true, description: 'TLS certificate (PEM)' },
      key: { type: 'string', placeholder: '<file>', internal: true, description: 'TLS key (PEM)' }
    }
  })
  if (values.role !== undefined) {
    await role(values.role, values.port, values.upstream ?? '', values.cert ?? '', values.key ?? '')
    return
  }
  const { rounds, seconds, connections, streams } = values
  try { execFileSync('h2load', ['--version'], { stdio: 'ignore' }) } catch {
    console.error('h2load missing: apt-get install nghttp2-client')
    process.exit(1)
  }
  const dir = mkdtempSync(join(tmpdir(), 'sipup-bench-edge-'))
  const { cert, key } = makeCert(dir)
  const [po, ph, pp, pn, pm] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()])
  const upstream = `http://127.0.0.1:${po}`
  const procs: Started[] = []
  // Interrupted: stop the parties too (nginx would outlive the bench otherwise).
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => { void Promise.all(procs.map(p => p.stop())).then(() => process.exit(130)) })
  }
  try {
    procs.push(await startProcess(SELF, ['--role', 'origin', '--port', String(po)], /ready origin/))
    const common = ['--upstream', upstream, '--cert', cert, '--key', key]
    procs.push(await startProcess(SELF, ['--role', 'sidecar-hit', '--port', String(ph), ...common], /ready sidecar-hit/))
    procs.push(await startProcess(SELF, ['--role', 'sidecar-pass', '--port', String(pp), ...common], /ready sidecar-pass/))
    // Two nginx, like the two sidecars: one caching (the hit path), one passing through.
    for (const [port, cache] of [[pn, true], [pm, false]] as const) {
      const nginx = startNginx({ dir, port, upstreamPort: po, cache, tls: { cert, key } })
      if (nginx === null) throw new Error('nginx not installed (apt-get install nginx-light)')
      procs.push(nginx)
    }
    const hitS = `https://localhost:${ph}/fast`
    const passS = `https://localhost:${pp}/fast`
    const hitN = `https://localhost:${pn}/fast`
    const passN = `https://localhost:${pm}/fast`
    for (const u of [hitS, passS, hitN, passN]) await waitHttps(u)
    const pairs: Pair[] = [
      { label: 'HTTPS/1.1 cache hit', proto: 'h1', sidecar: hitS, nginx: hitN },
      { label: 'HTTP/2 cache hit', proto: 'h2', sidecar: hitS, nginx: hitN },
      { label: 'HTTPS/1.1 pass-through', proto: 'h1', sidecar: passS, nginx: passN },
      { label: 'HTTP/2 pass-through', proto: 'h2', sidecar: passS, nginx: passN }
    ]
    const run = async (proto: 'h1' | 'h2', url: string, s: number): Promise<number> =>
      proto === 'h1' ? (await wrk(url, { connections, seconds: s })).rps : h2load(url, connections, streams, s)
    process.stderr.write('warm-up\n')
    for (const p of pairs) { await run(p.proto, p.sidecar, 1); await run(p.proto, p.nginx, 1) }
    const rows = new Map<string, { s: number[], n: number[], ratio: number[] }>(pairs.map(p => [p.label, { s: [], n: [], ratio: [] }]))
    for (let r = 0; r < rounds; r++) {
      for (const p of pairs) {
        const s = await run(p.proto, p.sidecar, seconds)
        const n = await run(p.proto, p.nginx, seconds)
        const row = rows.get(p.label) as { s: number[], n: number[], ratio: number[] }
        row.s.push(s); row.n.push(n); row.ratio.push(s / n)
        process.stderr.write(`  round ${r + 1}/${rounds} ${p.label.padEnd(24)} sidecar ${s.toFixed(0).padStart(7)}  nginx ${n.toFixed(0).padStart(7)} req/s\n`)
      }
    }
    console.log(`bench/edge: demo shop /fast, same self-signed EC certificate, -c${connections} ${seconds}s per run, ${rounds} interleaved rounds; HTTPS/1.1 with wrk -t1, HTTP/2 with h2load -m${streams}; nginx 1 worker (proxy_cache for the hit)`)
    for (const p of pairs) {
      const row = rows.get(p.label) as { s: number[], n: number[], ratio: number[] }
      console.log(`${p.label.padEnd(24)} sidecar ${median(row.s).toFixed(0).padStart(7)} req/s  nginx ${median(row.n).toFixed(0).padStart(7)} req/s  ratio ${median(row.ratio).toFixed(2)}x (per round: ${row.ratio.map(x => x.toFixed(2)).join(' ')})`)
    }
    const names = new Map([[hitS, 'sidecar hit'], [passS, 'sidecar pass-through'], [hitN, 'nginx hit'], [passN, 'nginx pass-through']])
    for (const p of problems) console.log(`not a figure: ${p.replace(/https:\/\/localhost:\d+\/fast/, u => names.get(u) ?? u)}`)
    const ext = await loadExtension()
    if (ext !== null) for (const line of await ext.lines()) console.log(line)
    const headline = median([...(rows.get('HTTPS/1.1 cache hit')?.ratio ?? []), ...(rows.get('HTTP/2 cache hit')?.ratio ?? [])])
    console.log(`headline: TLS cache hit path sidecar / nginx = ${headline.toFixed(2)}x (median of the per-round HTTPS/1.1 and HTTP/2 hit ratios; target >= 0.6x)`)
  } finally {
    await Promise.all(procs.map(p => p.stop()))
  }
}

main().catch(err => { console.error(err); process.exit(1) })
