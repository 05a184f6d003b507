// bench/cache: the cache's hit path side by side in one run (rounds interleaved A B C A B C, medians): bare
// Fastify answering the same 4 KB page from memory, the sidecar answering it from its cache, and the demo shop
// direct (its /fast page, and a real PHP-like product page for the cost a hit saves). Each party runs in its own
// process. Usage: node dist/bench/cache.js [--rounds 5] [--seconds 5] [--connections 64]
import { fileURLToPath } from 'node:url'
import { interleaved, median, medianRps, table, wrk, type Target, type WrkResult } from './lib/wrk.js'
import { startProcess, waitFor, type Started } from './lib/processes.js'
import { freePort } from './lib/free-port.js'
import { announceReady, startOriginRole, startSidecarRole } from './lib/roles.js'
import { benchArgs, ROLE_OPTIONS } from './lib/args.js'

const SELF = fileURLToPath(import.meta.url)

async function role (name: string, port: number, upstream: string): Promise<void> {
  if (name === 'origin') {
    await startOriginRole(port)
  } else if (name === 'sidecar') {
    const cache = {
      enabled: true,
      store: 'memory',
      rules: [
        { name: 'fast', path: '/fast', ttl: '1h', override: true },
        { name: 'products', path: '/product.php', ttl: '1h', override: true, anonymousOnly: true, stripSetCookie: true }
      ]
    }
    await startSidecarRole(port, upstream, { cache })
  } else if (name === 'bare') {
    // The same bytes and about as many headers as the sidecar's hit sends, from memory, through Fastify's router.
    const body = Buffer.from(await (await fetch(`${upstream}/fast`)).arrayBuffer())
    const { default: Fastify } = await import('fastify')
    const app = Fastify()
    app.get('/fast', (_req, reply) => {
      reply.header('content-type', 'text/html; charset=utf-8').header('age', '1').header('x-cache', 'HIT').header('cache-status', 'bare; hit').send(body)
    })
    await app.listen({ host: '127.0.0.1', port })
  }
  announceReady(name)
}

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/cache',
    summary: 'The cache hit path side by side (rounds interleaved A B C, medians): bare Fastify, the sidecar\'s cache hit and the demo shop direct.',
    options: {
      rounds: { type: 'int', default: 5, description: 'interleaved rounds; figures are medians' },
      seconds: { type: 'int', default: 5, description: 'seconds of load per party and round (wrk -d)' },
      connections: { type: 'int', default: 64, description: 'connections the load generator keeps open (wrk -c)' },
      ...ROLE_OPTIONS,
      upstream: { type: 'string', placeholder: '<url>', internal: true, description: 'the origin to proxy to' }
    }
  })
  if (values.role !== undefined) {
    await role(values.role, values.port, values.upstream ?? '')
    return
  }
  const { rounds, seconds, connections } = values
  const [po, ps, pb] = await Promise.all([freePort(), freePort(), freePort()])
  const upstream = `http://127.0.0.1:${po}`
  const procs: Started[] = []
  try {
    procs.push(await startProcess(SELF, ['--role', 'origin', '--port', String(po)], /ready origin/))
    procs.push(await startProcess(SELF, ['--role', 'sidecar', '--port', String(ps), '--upstream', upstream], /ready sidecar/))
    procs.push(await startProcess(SELF, ['--role', 'bare', '--port', String(pb), '--upstream', upstream], /ready bare/))
    const targets: Target[] = [
      { name: 'bare Fastify (memory)', url: `http://127.0.0.1:${pb}/fast` },
      { name: 'sidecar cache hit', url: `http://127.0.0.1:${ps}/fast` },
      { name: 'origin direct /fast', url: `${upstream}/fast` },
      { name: 'sidecar hit /product.php', url: `http://127.0.0.1:${ps}/product.php?id=1` },
      { name: 'origin direct /product.php', url: `${upstream}/product.php?id=1` }
    ]
    // Warm until the entry is stored, so every measured request is a hit.
    for (const t of targets) await waitFor(t.url, res => res.ok && res.headers.get('x-cache') !== 'MISS')
    process.stderr.write('warm-up (2 s each)\n')
    for (const t of targets) await wrk(t.url, { connections, seconds: 2 })
    console.log(`bench/cache: 4 KB page, wrk -t1 -c${connections} -d${seconds}s, ${rounds} interleaved rounds, medians`)
    const results = await interleaved(targets, rounds, { connections, seconds })
    console.log(table(results))
    const p99 = (name: string): number => median((results.get(name) ?? []).map((r: WrkResult) => r.p99ms))
    const hit = medianRps(results, 'sidecar cache hit')
    const bare = medianRps(results, 'bare Fastify (memory)')
    const perRound = (results.get('sidecar cache hit') ?? []).map((r, i) => r.rps / ((results.get('bare Fastify (memory)') ?? [])[i]?.rps ?? NaN))
    console.log(`per-round hit / bare ratios: ${perRound.map(r => r.toFixed(2)).join(' ')}`)
    console.log(`hit p99 / bare p99: ${(p99('sidecar cache hit') / p99('bare Fastify (memory)')).toFixed(2)}x (target <= 1.5x)`)
    console.log(`product page: sidecar hit / origin direct: ${(medianRps(results, 'sidecar hit /product.php') / medianRps(results, 'origin direct /product.php')).toFixed(1)}x`)
    console.log(`ratio of medians hit / bare: ${(hit / bare).toFixed(2)}x`)
    // Each round measures both back to back, so the per-round ratio cancels the machine's drift (as bench/passthrough).
    console.log(`headline: cache hit path = ${median(perRound).toFixed(2)}x bare Fastify req/s (median of ${perRound.length} per-round ratios; target >= 0.9x)`)
  } finally {
    await Promise.all(procs.map(p => p.stop()))
  }
}

main().catch(err => { console.error(err); process.exit(1) })
