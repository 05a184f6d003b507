// bench/passthrough-cpu: the sidecar's CPU time per pass-through request (bench/hot-path's `pass` role, GET /fast, a
// 4 KB page), from /proc/<pid>/stat over each wrk run's requests, for this build and optionally another built
// checkout side by side (interleaved rounds, medians), with bare node:http's as the yardstick and the floors of the
// stack (bench/lib/proxy-floors.ts: node:http + undici with a minimal handler, node:http + raw sockets and Node's
// llhttp; --no-floors skips them). CPU per request, not
// requests/s: it depends much less on who else uses the machine (batching under load still moves it a little, so
// compare builds in the same run).
//   npm run build && node dist/bench/passthrough-cpu.js [--baseline /path/to/another/checkout] [--rounds 5]
//     [--seconds 3] [--connections 64]
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchArgs } from './lib/args.js'
import { cpuMs } from './lib/cpu.js'
import { freePort } from './lib/free-port.js'
import { startProcess, waitFor, type Started } from './lib/processes.js'
import { median, wrk } from './lib/wrk.js'
import { startLlhttpFloor, startUndiciFloor } from './lib/proxy-floors.js'
import { ROLE_OPTIONS } from './lib/args.js'
import { announceReady } from './lib/roles.js'

const HOT_PATH = fileURLToPath(new URL('./hot-path.js', import.meta.url))
const SELF = fileURLToPath(import.meta.url)

interface Party { name: string, url: string, pid: number, cpuUs: number[], rps: number[], errors: number }

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/passthrough-cpu',
    summary: 'Sidecar CPU µs per pass-through request (/proc/<pid>/stat over wrk runs), this build and optionally another, beside bare node:http. Needs wrk.',
    options: {
      rounds: { type: 'int', default: 5, description: 'interleaved rounds; figures are medians' },
      seconds: { type: 'int', default: 3, description: 'seconds of load per party and round (wrk -d)' },
      connections: { type: 'int', default: 64, description: 'connections wrk keeps open (wrk -c)' },
      baseline: { type: 'string', placeholder: '<dir>', description: 'another built checkout, measured too' },
      'no-floors': { type: 'boolean', description: 'skip the floor parties (node:http + undici, node:http + llhttp)' },
      ...ROLE_OPTIONS,
      upstream: { type: 'string', placeholder: '<url>', internal: true, description: 'the origin to proxy to' }
    }
  })
  if (values.role !== undefined) {
    const upstreamUrl = values.upstream ?? ''
    if (values.role === 'floor-undici') await startUndiciFloor(values.port, upstreamUrl)
    else await startLlhttpFloor(values.port, upstreamUrl)
    announceReady(values.role)
    return
  }
  const { rounds, seconds, connections } = values
  const procs: Started[] = []
  const parties: Party[] = []
  const po = await freePort()
  const upstream = `http://127.0.0.1:${po}`
  const add = async (name: string, script: string, role: string): Promise<void> => {
    const port = await freePort()
    const p = await startProcess(script, ['--role', role, '--port', String(port), '--upstream', upstream], new RegExp(`ready ${role}`))
    procs.push(p)
    parties.push({ name, url: `http://127.0.0.1:${port}/fast`, pid: p.child.pid as number, cpuUs: [], rps: [], errors: 0 })
  }
  try {
    procs.push(await startProcess(HOT_PATH, ['--role', 'origin', '--port', String(po)], /ready origin/))
    await add('bare node:http', HOT_PATH, 'node-http')
    if (!values['no-floors']) {
      await add('floor: node:http + undici', SELF, 'floor-undici')
      await add('floor: node:http + llhttp', SELF, 'floor-llhttp')
    }
    await add('pass-through, this build', HOT_PATH, 'pass')
    if (values.baseline !== undefined) await add('pass-through, baseline', join(values.baseline, 'dist/bench/hot-path.js'), 'pass')
    for (const p of parties) await waitFor(p.url)
    for (const p of parties) await wrk(p.url, { connections, seconds: 2 })
    for (let r = 0; r < rounds; r++) {
      for (const p of parties) {
        const c0 = cpuMs(p.pid)
        const res = await wrk(p.url, { connections, seconds })
        p.cpuUs.push((cpuMs(p.pid) - c0) * 1000 / (res.rps * seconds))
        p.rps.push(res.rps)
        p.errors += res.errors
        // A party answering errors (a 502 page is cheap) would look fast: say so on every round.
        process.stderr.write(`  round ${r + 1}/${rounds} ${p.name.padEnd(26)} ${res.rps.toFixed(0).padStart(7)} req/s ${p.cpuUs[r].toFixed(1).padStart(6)} µs/req` +
          `${res.errors > 0 ? `  errors ${res.errors}` : ''}\n`)
      }
    }
    console.log(`bench/passthrough-cpu: GET /fast (4 KB page), wrk -t1 -c${connections} -d${seconds}s, ${rounds} interleaved rounds, medians`)
    console.log(`${'target'.padEnd(28)} ${'CPU µs/req'.padStart(11)} ${'range'.padStart(13)} ${'req/s'.padStart(8)} ${'errors'.padStart(7)}`)
    for (const p of parties) {
      const lo = Math.min(...p.cpuUs).toFixed(1)
      const hi = Math.max(...p.cpuUs).toFixed(1)
      console.log(`${p.name.padEnd(28)} ${median(p.cpuUs).toFixed(1).padStart(11)} ${`${lo}-${hi}`.padStart(13)} ${median(p.rps).toFixed(0).padStart(8)} ${String(p.errors).padStart(7)}`)
    }
  } finally {
    await Promise.all(procs.map(p => p.stop()))
  }
}

main().catch(err => { console.error(err); process.exit(1) })
