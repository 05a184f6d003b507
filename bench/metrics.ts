// The metrics plugin's overhead: requests/s through the sidecar with metrics on vs off, same origin, same load.
// Each party runs in its own process (this script re-runs itself with --role); rounds are interleaved (on off on
// off ...) and the medians compared. Last line: the headline ratio.
//   npm run build && node dist/bench/metrics.js [--rounds 5] [--seconds 5] [--connections 64]
import { spawn, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { pino } from 'pino'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/sidecar-config.js'
import { interleaved, medianRps, table, wrk } from './lib/wrk.js'
import { benchArgs } from './lib/args.js'

const BODY = Buffer.from(`<!doctype html><html><body>${'<p>legacy shop product page</p>'.repeat(120)}</body></html>`)

async function runOrigin (): Promise<void> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': BODY.length })
    res.end(BODY)
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  console.log(`ready ${(server.address() as AddressInfo).port}`)
}

async function runSidecar (upstream: string, metrics: boolean): Promise<void> {
  const { config } = loadConfig({
    env: {},
    overrides: {
      server: { host: '127.0.0.1', port: 0 },
      upstream: { url: upstream },
      redis: { enabled: false },
      log: { level: 'silent', requests: false },
      admin: { token: 'bench-token-not-secret' },
      metrics: { enabled: metrics }
    }
  })
  const app = await buildApp(config, { logger: pino({ level: 'silent' }) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  console.log(`ready ${(app.server.address() as AddressInfo).port}`)
}

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/metrics',
    summary: 'The metrics plugin\'s overhead: requests/s through the sidecar with metrics on vs off, same origin, same load (rounds interleaved, medians).',
    options: {
      rounds: { type: 'int', default: 5, description: 'interleaved rounds; figures are medians' },
      seconds: { type: 'int', default: 5, description: 'seconds of load per party and round (wrk -d)' },
      connections: { type: 'int', default: 64, description: 'connections the load generator keeps open (wrk -c)' },
      role: { type: 'string', internal: true, description: 'run as one of the bench\'s processes' },
      upstream: { type: 'string', placeholder: '<url>', internal: true, description: 'the origin to proxy to' },
      metrics: { type: 'string', choices: ['on', 'off'], internal: true, description: 'the sidecar\'s metrics plugin' }
    }
  })
  if (values.role === 'origin') return runOrigin()
  if (values.role === 'sidecar') return runSidecar(values.upstream ?? '', values.metrics === 'on')
  const { rounds } = values
  const opts = { connections: values.connections, seconds: values.seconds }
  const script = fileURLToPath(import.meta.url)
  const origin = await spawnWithPort(script, ['--role', 'origin'])
  const on = await spawnWithPort(script, ['--role', 'sidecar', '--upstream', `http://127.0.0.1:${origin.port}`, '--metrics', 'on'])
  const off = await spawnWithPort(script, ['--role', 'sidecar', '--upstream', `http://127.0.0.1:${origin.port}`, '--metrics', 'off'])
  try {
    const targets = [
      { name: 'sidecar, metrics on', url: `http://127.0.0.1:${on.port}/product.php?id=1` },
      { name: 'sidecar, metrics off', url: `http://127.0.0.1:${off.port}/product.php?id=1` }
    ]
    process.stderr.write(`warm-up, then ${rounds} interleaved rounds of ${opts.seconds}s, wrk -t1 -c${opts.connections}\n`)
    for (const t of targets) await wrk(t.url, { ...opts, seconds: 2 })
    const results = await interleaved(targets, rounds, opts)
    console.log(`metrics overhead: 4 KB pages through the sidecar, origin sends no-store (${rounds} rounds × ${opts.seconds}s, medians)`)
    console.log(table(results))
    const ratio = medianRps(results, 'sidecar, metrics on') / medianRps(results, 'sidecar, metrics off')
    console.log(`ratio metrics on / off (req/s): ${ratio.toFixed(3)}`)
  } finally {
    await Promise.all([on.proc.stop(), off.proc.stop(), origin.proc.stop()])
  }
}

interface Started { child: ChildProcess, stop(): Promise<void> }

/** Starts a role in its own process and reads its port from the `ready <port>` line. */
async function spawnWithPort (script: string, args: string[]): Promise<{ proc: Started, port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    const onData = (c: Buffer): void => {
      out += c.toString()
      const m = /ready (\d+)/.exec(out)
      if (m === null) return
      child.stdout?.off('data', onData)
      child.stdout?.resume()
      resolve({ proc: { child, stop: () => stopChild(child) }, port: Number(m[1]) })
    }
    child.stdout?.on('data', onData)
    child.once('exit', code => { reject(new Error(`${args.join(' ')} exited with ${String(code)}: ${out}`)) })
  })
}

function stopChild (child: ChildProcess): Promise<void> {
  return new Promise(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) { resolve(); return }
    child.once('exit', () => { resolve() })
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), 3000).unref()
  })
}

main().catch(err => {
  console.error(err)
  process.exit(1)
})
