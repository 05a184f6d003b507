// bench/edge-hit: where the TLS cache hit's time goes, side by side in one run (rounds interleaved, medians):
// nginx and the sidecar, each with and without TLS, beside bare Node servers answering the same 4 KB page from
// memory (the ceiling of Node's own TLS and HTTP layers, with no sidecar code at all). HTTPS/1.1, wrk -t1.
// CPU µs per request come from /proc/<pid>/stat (nginx: its one worker), steadier than req/s on a shared machine.
// Usage: node dist/bench/edge-hit.js [--rounds 5] [--seconds 3] [--connections 32] [--only name,name] [--baseline <edge.js>]
// --baseline: another build's dist/bench/edge.js, whose sidecar-hit role (http2: true) runs as one more party, so a
// change is measured beside the build before it in the same run. --only: parties whose name contains one of these.
import { mkdtempSync, readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import http2 from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median, wrk } from './lib/wrk.js'
import { startProcess, type Started } from './lib/processes.js'
import { freePort } from './lib/free-port.js'
import { announceReady, startOriginRole, startSidecarRole } from './lib/roles.js'
import { startNginx } from './lib/nginx.js'
import { makeCert } from './lib/cert.js'
import { cpuMs } from './lib/cpu.js'
import { benchArgs, ROLE_OPTIONS } from './lib/args.js'

const SELF = fileURLToPath(import.meta.url)

/** The origin's /fast page, fetched once: what the bare servers answer with. */
async function originPage (upstream: string): Promise<{ body: Buffer, type: string }> {
  const res = await fetch(`${upstream}/fast`)
  return { body: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') ?? 'text/html' }
}

/** A server with nothing but Node: the page from memory with the headers a sidecar hit sends, as one flat array. */
async function bareRole (kind: string, port: number, upstream: string, cert: string, key: string): Promise<void> {
  const { body, type } = await originPage(upstream)
  const headers = ['content-type', type, 'vary', 'Accept-Encoding', 'content-length', String(body.length), 'age', '1',
    'x-cache', 'HIT', 'cache-status', 'sipup; hit']
  const answer = (_req: unknown, res: http.ServerResponse): void => { res.writeHead(200, headers); res.end(body) }
  const tls = kind === 'http' ? null : { cert: readFileSync(cert), key: readFileSync(key) }
  if (kind === 'h2-stream') {
    // node:http2's own floor: the stream API, no compat request/response objects (a 'request' listener would add
    // them to every stream), so h2 only.
    const object: http2.OutgoingHttpHeaders = { ':status': 200 }
    for (let i = 0; i < headers.length; i += 2) object[headers[i]] = headers[i + 1]
    const h2 = http2.createSecureServer({ ...tls })
    h2.on('stream', (stream) => { stream.respond(object); stream.end(body) })
    await new Promise<void>(resolve => h2.listen(port, '127.0.0.1', resolve))
    return
  }
  const server = tls === null
    ? http.createServer({ keepAliveTimeout: 75_000 }, answer)
    : kind === 'https'
      ? https.createServer({ ...tls, keepAliveTimeout: 75_000 }, answer)
      : http2.createSecureServer({ ...tls, allowHTTP1: true, noDelay: kind === 'h2-nodelay' }, answer as never)
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
}

interface Party { name: string, url: string, pid: () => number | undefined, rps: number[], cpuUs: number[] }

/** nginx's worker (the master only forks it): its CPU is the server's. */
function nginxWorker (master: number | undefined): number | undefined {
  try {
    const kids = readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim().split(/\s+/)
    return kids[0] === '' ? undefined : Number(kids[0])
  } catch { return undefined }
}

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/edge-hit',
    summary: 'Where the TLS cache hit\'s time goes: nginx and the sidecar, each with and without TLS, beside bare Node servers answering the same 4 KB page (HTTPS/1.1, wrk -t1, CPU µs per request).',
    options: {
      rounds: { type: 'int', default: 5, description: 'interleaved rounds; figures are medians' },
      seconds: { type: 'int', default: 3, description: 'seconds of load per party and round (wrk -d)' },
      connections: { type: 'int', default: 32, description: 'connections the load generator keeps open (wrk -c)' },
      only: { type: 'string', placeholder: '<name,name>', description: 'run only the parties whose name contains one of these (default: all)' },
      baseline: { type: 'string', placeholder: '<edge.js>', description: 'another build\'s dist/bench/edge.js, whose sidecar-hit role runs as one more party' },
      ...ROLE_OPTIONS,
      upstream: { type: 'string', placeholder: '<url>', internal: true, description: 'the origin to proxy to' },
      cert: { type: 'string', placeholder: '<file>', internal: true, description: 'TLS certificate (PEM)' },
      key: { type: 'string', placeholder: '<file>', internal: true, description: 'TLS key (PEM)' },
      server: { type: 'string', placeholder: '<json>', internal: true, description: 'server.* overrides of the sidecar, as JSON' }
    }
  })
  if (values.role !== undefined) {
    const port = values.port
    const upstream = values.upstream ?? ''
    if (values.role === 'origin') await startOriginRole(port)
    else if (values.role.startsWith('bare-')) await bareRole(values.role.slice(5), port, upstream, values.cert ?? '', values.key ?? '')
    else {
      const server = JSON.parse(values.server ?? '{}') as Record<string, unknown>
      const cache = { enabled: true, store: 'memory', rules: [{ name: 'fast', path: '/fast', ttl: '1h', override: true }] }
      await startSidecarRole(port, upstream, { server: { host: '127.0.0.1', port, ...server }, cache })
    }
    announceReady(values.role)
    return
  }
  const { rounds, seconds, connections } = values
  const dir = mkdtempSync(join(tmpdir(), 'sipup-bench-edge-hit-'))
  const { cert, key } = makeCert(dir)
  const po = await freePort()
  const upstream = `http://127.0.0.1:${po}`
  const procs: Started[] = []
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => { void Promise.all(procs.map(p => p.stop())).then(() => process.exit(130)) })
  }
  const parties: Party[] = []
  try {
    procs.push(await startProcess(SELF, ['--role', 'origin', '--port', String(po)], /ready origin/))
    const files = ['--upstream', upstream, '--cert', cert, '--key', key]
    const tls = { cert, key }
    const node = async (name: string, role: string, scheme: string, server?: object): Promise<void> => {
      const port = await freePort()
      const extra = server === undefined ? [] : ['--server', JSON.stringify(server)]
      const p = await startProcess(SELF, ['--role', role, '--port', String(port), ...files, ...extra], new RegExp(`ready ${role}`))
      procs.push(p)
      parties.push({ name, url: `${scheme}://localhost:${port}/fast`, pid: () => p.child.pid, rps: [], cpuUs: [] })
    }
    for (const withTls of [true, false]) {
      const port = await freePort()
      const g = startNginx({ dir, port, upstreamPort: po, cache: true, tls: withTls ? tls : undefined })
      if (g === null) throw new Error('nginx not installed (apt-get install nginx-light)')
      procs.push(g)
      const scheme = withTls ? 'https' : 'http'
      parties.push({ name: `nginx proxy_cache ${scheme}`, url: `${scheme}://localhost:${port}/fast`, pid: () => nginxWorker(g.child.pid), rps: [], cpuUs: [] })
    }
    if (values.baseline !== undefined) {
      const port = await freePort()
      const p = await startProcess(values.baseline, ['--role', 'sidecar-hit', '--port', String(port), ...files], /ready sidecar-hit/)
      procs.push(p)
      parties.push({ name: 'sidecar hit https, baseline build', url: `https://localhost:${port}/fast`, pid: () => p.child.pid, rps: [], cpuUs: [] })
    }
    await node('sidecar hit https, http2: true', 'sidecar-h2', 'https', { tls, http2: true })
    await node('sidecar hit https, http2: false', 'sidecar-h1', 'https', { tls, http2: false })
    await node('sidecar hit http (no TLS)', 'sidecar-plain', 'http')
    await node('bare node:https', 'bare-https', 'https')
    await node('bare node:http2 allowHTTP1', 'bare-h2', 'https')
    await node('bare node:http2 allowHTTP1 noDelay', 'bare-h2-nodelay', 'https')
    await node('bare node:http (no TLS)', 'bare-http', 'http')
    const only = values.only?.split(',') ?? null
    // nginx https stays: it is every ratio's yardstick.
    if (only !== null) for (let i = parties.length - 1; i > 0; i--) if (!only.some(o => parties[i].name.includes(o))) parties.splice(i, 1)
    await new Promise(resolve => setTimeout(resolve, 500))
    process.stderr.write('warm-up\n')
    for (const p of parties) await wrk(p.url, { connections, seconds: 1 })
    for (let r = 0; r < rounds; r++) {
      for (const p of parties) {
        const pid = p.pid()
        const c0 = cpuMs(pid)
        const res = await wrk(p.url, { connections, seconds })
        p.rps.push(res.rps)
        p.cpuUs.push((cpuMs(pid) - c0) * 1000 / (res.rps * seconds))
        process.stderr.write(`  round ${r + 1}/${rounds} ${p.name.padEnd(38)} ${res.rps.toFixed(0).padStart(7)} req/s ${p.cpuUs[p.cpuUs.length - 1].toFixed(1).padStart(6)} µs/req${res.errors > 0 ? ` (${res.errors} errors)` : ''}\n`)
      }
    }
    console.log(`bench/edge-hit: demo shop /fast (4 KB), cache hit over HTTPS/1.1, same self-signed EC certificate (TLS 1.3, AES-256-GCM both), wrk -t1 -c${connections} ${seconds}s, ${rounds} interleaved rounds, medians`)
    console.log(`${'party'.padEnd(38)} ${'req/s'.padStart(7)} ${'/ nginx https'.padStart(13)} ${'CPU µs/req'.padStart(10)}`)
    const nginxTls = parties[0]
    for (const p of parties) {
      const ratios = p.rps.map((x, i) => x / nginxTls.rps[i])
      console.log(`${p.name.padEnd(38)} ${median(p.rps).toFixed(0).padStart(7)} ${median(ratios).toFixed(2).padStart(12)}x ${median(p.cpuUs).toFixed(1).padStart(10)}   (per round: ${ratios.map(x => x.toFixed(2)).join(' ')})`)
    }
    const cpu = (name: string): number => median(parties.find(p => p.name === name)?.cpuUs ?? [])
    const tlsShare = (withTls: string, without: string): string => `${(cpu(withTls) - cpu(without)).toFixed(1)} µs`
    console.log(`TLS's CPU per request (https - http): nginx ${tlsShare('nginx proxy_cache https', 'nginx proxy_cache http')}, sidecar ${tlsShare('sidecar hit https, http2: false', 'sidecar hit http (no TLS)')}, bare Node ${tlsShare('bare node:https', 'bare node:http (no TLS)')}`)
    console.log(`sidecar code on the hit (sidecar https - bare node:https): ${tlsShare('sidecar hit https, http2: false', 'bare node:https')}`)
    const r = (name: string): number => median(parties.find(p => p.name === name)?.rps.map((x, i) => x / nginxTls.rps[i]) ?? [])
    console.log(`headline: TLS hit sidecar / nginx = ${r('sidecar hit https, http2: true').toFixed(2)}x (http2: false ${r('sidecar hit https, http2: false').toFixed(2)}x; bare node:https, the ceiling, ${r('bare node:https').toFixed(2)}x; target >= 0.6x)`)
  } finally {
    await Promise.all(procs.map(p => p.stop()))
  }
}

main().catch(err => { console.error(err); process.exit(1) })
