// bench/purge: how long a purge on one sidecar takes to reach another's memory cache through Redis (tiered store),
// the 100 ms target of issue 16. Two sidecars and a small origin, each in its own process, both serving a steady
// background load of cache hits; per round, the time from the purge's answer on A to B's first miss
// (bench/lib/purge-propagation.ts). Prints every round, the median and the worst, and the median against the target.
// Needs Redis (REDIS_URL, default redis://127.0.0.1:6379).
import http from 'node:http'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import { benchArgs, ROLE_OPTIONS } from './lib/args.js'
import { freePort } from './lib/free-port.js'
import { startProcess } from './lib/processes.js'
import { deleteByPrefix } from './lib/redis-keys.js'
import { announceReady, startSidecarRole } from './lib/roles.js'
import { median } from './lib/wrk.js'
import { measurePurgePropagation } from './lib/purge-propagation.js'

const SELF = fileURLToPath(import.meta.url)
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const TARGET_MS = 100
const TOKEN = 'bench-purge'

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/purge',
    summary: 'How long a purge on sidecar A takes to reach sidecar B\'s memory cache (tiered store, Redis pub/sub), under a background load of cache hits on both. Needs Redis.',
    options: {
      rounds: { type: 'int', default: 30, description: 'purges measured; figures are the median and the worst' },
      poll: { type: 'duration', default: '2ms', description: 'how often B is asked for the page after the purge' },
      loaders: { type: 'int', min: 0, default: 4, description: 'background request loops (half on each sidecar)' },
      ...ROLE_OPTIONS,
      upstream: { type: 'string', default: '', internal: true, description: 'the origin\'s URL' },
      prefix: { type: 'string', default: '', internal: true, description: 'Redis key prefix of this run' }
    }
  })
  if (values.role === 'sidecar') {
    await startSidecarRole(values.port, values.upstream, {
      redis: { enabled: true, url: REDIS_URL, keyPrefix: values.prefix },
      cache: { enabled: true, store: 'tiered' },
      admin: { enabled: true, token: TOKEN }
    })
    announceReady('sidecar')
    return
  }

  const origin = http.createServer((req, res) => {
    res.setHeader('cache-control', 'max-age=600')
    res.end(`page ${req.url ?? ''}`)
  })
  await new Promise<void>(resolve => origin.listen(0, '127.0.0.1', resolve))
  const upstream = `http://127.0.0.1:${(origin.address() as { port: number }).port}`
  const prefix = `sipup-bench-purge-${process.pid}:`
  const ports = [await freePort(), await freePort()]
  const sidecars = await Promise.all(ports.map(port => startProcess(SELF,
    ['--role', 'sidecar', '--port', String(port), '--upstream', upstream, '--prefix', prefix], /ready sidecar/)))
  const [a, b] = ports.map(port => `http://127.0.0.1:${port}`)
  try {
    console.log(`bench/purge: purge on sidecar A -> sidecar B's memory copy gone (tiered store, Redis ${REDIS_URL}), ` +
      `${values.rounds} rounds, B polled every ${values.poll} ms, ${values.loaders} background loops of cache hits`)
    // One round more than measured: the first also waits for B's subscription and both processes' warm-up.
    const rounds = (await measurePurgePropagation({ a, b, token: TOKEN, host: 'shop.test' },
      { rounds: values.rounds + 1, pollMs: values.poll, giveUpMs: 5000, loaders: values.loaders })).slice(1)
    const bad = rounds.filter(r => !r.held || r.purgeStatus !== 200)
    if (bad.length > 0) throw new Error(`${bad.length} rounds not measured (B did not hold the page, or the purge failed: ${bad.map(r => r.purgeStatus).join(',')})`)
    const ms = rounds.map(r => r.ms)
    console.log(`  ms per round: ${ms.map(m => m.toFixed(1)).join(' ')}`)
    const med = median(ms)
    const worst = Math.max(...ms)
    console.log(`  median ${med.toFixed(1)} ms, worst ${worst.toFixed(1)} ms, target ${TARGET_MS} ms`)
    console.log(`purge reaches the peer in ${med.toFixed(1)} ms (median; worst ${worst.toFixed(1)} ms): ${(med / TARGET_MS).toFixed(2)}x of the ${TARGET_MS} ms target`)
  } finally {
    await Promise.all(sidecars.map(s => s.stop()))
    await new Promise(resolve => origin.close(resolve))
    const redis = new Redis(REDIS_URL)
    await deleteByPrefix(redis, prefix)
    await redis.quit()
  }
}

main().catch((err: Error) => { console.error(`bench/purge: ${err.message}`); process.exit(1) })
