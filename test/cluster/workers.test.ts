// `server.workers: 2` through the built CLI, as an operator runs it: a killed worker is replaced while requests keep
// succeeding, one scrape adds up both workers' requests, SIGHUP replaces every worker with no failed request, and
// SIGTERM stops the whole node.
import t, { type Test } from 'tap'
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { createServer } from 'node:net'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { once } from 'node:events'
import { packageRoot } from '../../src/paths.js'
import { startOrigin } from '../helpers/sidecar.js'
import { CHILD_TIMEOUT_MS } from '../helpers/child.js'

const CLI = join(packageRoot, 'dist', 'src', 'cli', 'index.js')
// Three clusters of three Node processes each: past tap's 120 s default on a loaded machine.
t.setTimeout(600_000)

async function freePort (): Promise<number> {
  const s = createServer()
  s.listen(0, '127.0.0.1')
  await once(s, 'listening')
  const port = (s.address() as { port: number }).port
  await new Promise(resolve => s.close(resolve))
  return port
}

/** One request on a fresh connection (no keep-alive: a connection a stopping worker closes is no refusal). */
async function get (port: number, path: string): Promise<{ status: number, body: string }> {
  return await new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, res => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { body += c })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }) })
    })
    req.setTimeout(5000, () => { req.destroy(new Error('timeout')) })
    req.on('error', reject)
    req.end()
  })
}

function childPids (pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(s => Number(s.trim())).filter(n => n > 0)
  } catch {
    return []
  }
}

async function until (what: string, fn: () => boolean | Promise<boolean>, ms = CHILD_TIMEOUT_MS): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await fn()) return
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

interface Node { primary: ChildProcess, port: number, output: () => string }

async function startNode (t: Test, upstream: string): Promise<Node> {
  const port = await freePort()
  const dir = t.testdir({})
  const file = join(dir, 'sidecar.yaml')
  writeFileSync(file, [
    'server:', '  host: 127.0.0.1', `  port: ${port}`, '  workers: 2', '  shutdownTimeout: 2s',
    'upstream:', `  url: ${upstream}`,
    'redis:', '  enabled: false',
    'log:', '  level: info', '  requests: false',
    'metrics:', '  enabled: true', 'cache:', '  enabled: false', 'rateLimit:', '  enabled: false'
  ].join('\n') + '\n')
  const primary = spawn(process.execPath, [CLI, 'start', '-c', file], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  primary.stderr?.setEncoding('utf8')
  primary.stderr?.on('data', (c: string) => { err += c })
  primary.stdout?.setEncoding('utf8')
  primary.stdout?.on('data', (c: string) => { err += c })
  t.teardown(async () => {
    if (primary.exitCode === null && primary.signalCode === null) {
      const pids = childPids(primary.pid ?? 0)
      primary.kill('SIGKILL')
      for (const p of pids) { try { process.kill(p, 'SIGKILL') } catch {} }
    }
  })
  await until('the primary to report its workers listening', () => /2 workers listening/.test(err))
  return { primary, port, output: () => err }
}

t.test('workers: 2', async t => {
  let originHits = 0
  const origin = await startOrigin((_req, res) => {
    originHits++
    res.writeHead(200, { 'content-type': 'text/plain' }).end('hello')
  })
  t.teardown(() => origin.close())

  t.test('a SIGKILLed worker is replaced and requests keep succeeding', async t => {
    const node = await startNode(t, origin.url)
    const [first] = childPids(node.primary.pid ?? 0)
    t.equal(childPids(node.primary.pid ?? 0).length, 2, 'two workers')
    let ok = 0
    let failed = 0
    let running = true
    const loop = (async () => {
      while (running) {
        try {
          if ((await get(node.port, '/')).status === 200) ok++
          else failed++
        } catch { failed++ }
      }
    })()
    await until('some requests', () => ok > 20)
    process.kill(first, 'SIGKILL')
    await until('a replacement worker', () => {
      const now = childPids(node.primary.pid ?? 0)
      return now.length === 2 && !now.includes(first)
    })
    const before = ok
    await until('requests after the replacement', () => ok > before + 20)
    running = false
    await loop
    // A sequential loop has one request in flight: at most that one may die with the worker.
    t.ok(failed <= 1, `failed requests: ${failed} (at most the killed worker's in-flight one)`)
    t.match(node.output(), /worker died: starting a new one/)
  })

  t.test('one scrape adds up both workers\' requests', async t => {
    const node = await startNode(t, origin.url)
    const n = 40
    for (let i = 0; i < n; i++) t.equal((await get(node.port, `/page-${i}`)).status, 200)
    const scrape = await get(node.port, '/_admin/metrics')
    t.equal(scrape.status, 200)
    const counts = [...scrape.body.matchAll(/^sipup_http_requests_total\{[^}]*route="proxy"[^}]*\} (\d+)/gm)].map(m => Number(m[1]))
    t.equal(counts.reduce((a, b) => a + b, 0), n, 'the proxied requests of both workers in one scrape')
    // Each worker saw only its share; the whole count proves the primary aggregated them.
    const pids = [...scrape.body.matchAll(/^process_cpu_user_seconds_total/gm)]
    t.ok(pids.length >= 1, 'process metrics present')
  })

  t.test('SIGHUP replaces every worker, one at a time, with no failed request', async t => {
    const node = await startNode(t, origin.url)
    const before = childPids(node.primary.pid ?? 0)
    let ok = 0
    const failures: string[] = []
    let running = true
    const loops = Array.from({ length: 4 }, async () => {
      while (running) {
        try {
          const r = await get(node.port, '/')
          if (r.status === 200) ok++
          else failures.push(`status ${r.status}`)
        } catch (err) { failures.push((err as Error).message) }
      }
    })
    await until('some requests', () => ok > 20)
    node.primary.kill('SIGHUP')
    await until('every worker replaced', () => {
      const now = childPids(node.primary.pid ?? 0)
      return now.length === 2 && now.every(p => !before.includes(p))
    }, 30_000)
    const mid = ok
    await until('requests after the roll', () => ok > mid + 20)
    running = false
    await Promise.all(loops)
    t.same(failures, [], 'no request failed or was refused during the rolling restart')
    t.match(node.output(), /rolling restart done/)
  })

  t.test('SIGTERM stops every worker and the primary exits 0', async t => {
    const node = await startNode(t, origin.url)
    const workers = childPids(node.primary.pid ?? 0)
    t.equal((await get(node.port, '/')).status, 200)
    node.primary.kill('SIGTERM')
    const [code] = await once(node.primary, 'exit') as [number | null]
    t.equal(code, 0)
    for (const p of workers) t.throws(() => process.kill(p, 0), 'worker gone')
    t.ok(originHits > 0)
  })
})
