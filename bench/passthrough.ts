// bench/passthrough: the pass-through path with every plugin off, side by side in one run (rounds interleaved,
// medians): the origin's /fast route direct, the sidecar, plain Fastify + @fastify/http-proxy with its defaults,
// and nginx as a pass-through proxy when it is installed. Each party runs in its own process.
// With --body N: the cost of request buffering instead: POST /echo with an N-byte body, the sidecar with
// proxy.requestBuffering on (default) and off (streaming), side by side.
// Usage: node dist/bench/passthrough.js [--rounds 9] [--seconds 5] [--connections 64] [--body 10240]
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { interleaved, medianRps, table, wrk, median, type Target } from './lib/wrk.js'
import { startProcess, waitFor, type Started } from './lib/processes.js'
import { freePort } from './lib/free-port.js'
import { announceReady, startOriginRole, startSidecarRole } from './lib/roles.js'
import { startNginx } from './lib/nginx.js'
import { benchArgs, ROLE_OPTIONS } from './lib/args.js'

const SELF = fileURLToPath(import.meta.url)

async function role (name: string, port: number, upstream: string): Promise<void> {
  if (name === 'origin') {
    await startOriginRole(port)
  } else if (name === 'sidecar') {
    await startSidecarRole(port, upstream)
  } else if (name === 'sidecar-streaming') {
    await startSidecarRole(port, upstream, { proxy: { requestBuffering: false } })
  } else if (name === 'http-proxy') {
    const { default: Fastify } = await import('fastify')
    const { default: proxy } = await import('@fastify/http-proxy')
    const app = Fastify()
    await app.register(proxy, { upstream })
    await app.listen({ host: '127.0.0.1', port })
  }
  announceReady(name)
}

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/passthrough',
    summary: 'The pass-through path with every plugin off, side by side (rounds interleaved, medians): the origin direct, the sidecar, Fastify + @fastify/http-proxy, and nginx when installed. --body: the cost of request buffering instead.',
    options: {
      rounds: { type: 'int', default: 9, description: 'interleaved rounds; figures are medians' },
      seconds: { type: 'int', default: 5, description: 'seconds of load per party and round (wrk -d)' },
      connections: { type: 'int', default: 64, description: 'connections the load generator keeps open (wrk -c)' },
      body: { type: 'int', description: 'POST /echo with a body of this many bytes, proxy.requestBuffering on vs off (default: GET /fast)' },
      ...ROLE_OPTIONS,
      upstream: { type: 'string', placeholder: '<url>', internal: true, description: 'the origin to proxy to' }
    }
  })
  if (values.role !== undefined) {
    await role(values.role, values.port, values.upstream ?? '')
    return
  }
  const { rounds, seconds, connections } = values
  if (values.body !== undefined) {
    await postBench(values.body, rounds, seconds, connections)
    return
  }
  const [po, ps, ph, pn] = await Promise.all([freePort(), freePort(), freePort(), freePort()])
  const upstream = `http://127.0.0.1:${po}`
  const procs: Started[] = []
  try {
    procs.push(await startProcess(SELF, ['--role', 'origin', '--port', String(po)], /ready origin/))
    procs.push(await startProcess(SELF, ['--role', 'sidecar', '--port', String(ps), '--upstream', upstream], /ready sidecar/))
    procs.push(await startProcess(SELF, ['--role', 'http-proxy', '--port', String(ph), '--upstream', upstream], /ready http-proxy/))
    const nginx = startNginx({ dir: mkdtempSync(join(tmpdir(), 'sipup-bench-pass-')), port: pn, upstreamPort: po })
    if (nginx !== null) procs.push(nginx)
    const targets: Target[] = [
      { name: 'origin direct', url: `${upstream}/fast` },
      { name: 'sipup-sidecar (no plugins)', url: `http://127.0.0.1:${ps}/fast` },
      { name: '@fastify/http-proxy defaults', url: `http://127.0.0.1:${ph}/fast` }
    ]
    if (nginx !== null) targets.push({ name: 'nginx pass-through', url: `http://127.0.0.1:${pn}/fast` })
    for (const t of targets) await waitFor(t.url)
    process.stderr.write(`warm-up (2 s each)\n`)
    for (const t of targets) await wrk(t.url, { connections, seconds: 2 })
    console.log(`bench/passthrough: GET /fast (4 KB page), wrk -t1 -c${connections} -d${seconds}s, ${rounds} interleaved rounds, medians`)
    console.log(nginx === null ? 'nginx: not installed (apt-get install nginx), skipped' : 'nginx: 1 worker, upstream keepalive 64')
    const results = await interleaved(targets, rounds, { connections, seconds })
    console.log(table(results))
    const sidecar = medianRps(results, 'sipup-sidecar (no plugins)')
    const hp = medianRps(results, '@fastify/http-proxy defaults')
    const perRound = (results.get('sipup-sidecar (no plugins)') ?? []).map((r, i) => r.rps / ((results.get('@fastify/http-proxy defaults') ?? [])[i]?.rps ?? NaN))
    console.log(`sidecar / origin direct: ${(sidecar / medianRps(results, 'origin direct')).toFixed(2)}x`)
    if (nginx !== null) console.log(`sidecar / nginx: ${(sidecar / medianRps(results, 'nginx pass-through')).toFixed(2)}x`)
    console.log(`ratio of medians sidecar / http-proxy: ${(sidecar / hp).toFixed(2)}x`)
    console.log(`per-round sidecar / http-proxy ratios: ${perRound.map(r => r.toFixed(2)).join(' ')}`)
    // Each round measures both back to back, so the per-round ratio cancels the machine's drift; its median is the headline.
    console.log(`headline: sidecar pass-through = ${median(perRound).toFixed(2)}x @fastify/http-proxy defaults (median of ${perRound.length} per-round ratios; target >= 1.5x)`)
  } finally {
    await Promise.all(procs.map(p => p.stop()))
  }
}

/** Request buffering vs streaming for one body size: a per-round ratio, its median the headline. */
async function postBench (bytes: number, rounds: number, seconds: number, connections: number): Promise<void> {
  const [po, pb, pst] = await Promise.all([freePort(), freePort(), freePort()])
  const upstream = `http://127.0.0.1:${po}`
  const dir = mkdtempSync(join(tmpdir(), 'sipup-bench-post-'))
  const script = join(dir, 'post.lua')
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = string.rep("a", ${bytes})\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n`)
  const procs: Started[] = []
  try {
    procs.push(await startProcess(SELF, ['--role', 'origin', '--port', String(po)], /ready origin/))
    procs.push(await startProcess(SELF, ['--role', 'sidecar', '--port', String(pb), '--upstream', upstream], /ready sidecar/))
    procs.push(await startProcess(SELF, ['--role', 'sidecar-streaming', '--port', String(pst), '--upstream', upstream], /ready sidecar-streaming/))
    const buffered = 'sidecar, requestBuffering on'
    const streamed = 'sidecar, requestBuffering off'
    const targets: Target[] = [
      { name: buffered, url: `http://127.0.0.1:${pb}/echo` },
      { name: streamed, url: `http://127.0.0.1:${pst}/echo` }
    ]
    for (const t of targets) await waitFor(t.url)
    for (const t of targets) await wrk(t.url, { connections, seconds: 2, script })
    console.log(`bench/passthrough --body: POST /echo with a ${bytes}-byte body, wrk -t1 -c${connections} -d${seconds}s, ${rounds} interleaved rounds, medians`)
    const results = await interleaved(targets, rounds, { connections, seconds, script })
    console.log(table(results))
    const perRound = (results.get(buffered) ?? []).map((r, i) => r.rps / ((results.get(streamed) ?? [])[i]?.rps ?? NaN))
    console.log(`per-round buffered / streamed ratios: ${perRound.map(r => r.toFixed(2)).join(' ')}`)
    console.log(`headline: requestBuffering on = ${median(perRound).toFixed(2)}x the throughput of streaming (median of ${perRound.length} per-round ratios)`)
  } finally {
    await Promise.all(procs.map(p => p.stop()))
  }
}

main().catch(err => { console.error(err); process.exit(1) })
