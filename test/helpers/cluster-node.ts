// A `server.workers` node started through the built CLI, as an operator runs it, and the small tools its tests use:
// fresh-connection requests, the primary's worker pids, and polling until a condition holds.
import type { Test } from 'tap'
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { createServer } from 'node:net'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { once } from 'node:events'
import { packageRoot } from '../../src/paths.js'
import { CHILD_TIMEOUT_MS } from './child.js'

const CLI = join(packageRoot, 'dist', 'src', 'cli', 'index.js')

export async function freePort (): Promise<number> {
  const s = createServer()
  s.listen(0, '127.0.0.1')
  await once(s, 'listening')
  const port = (s.address() as { port: number }).port
  await new Promise(resolve => s.close(resolve))
  return port
}

/** One request on a fresh connection (no keep-alive: a connection a stopping worker closes is no refusal). */
export async function get (port: number, path: string): Promise<{ status: number, body: string }> {
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

export function childPids (pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map(s => Number(s.trim())).filter(n => n > 0)
  } catch {
    return []
  }
}

export async function until (what: string, fn: () => boolean | Promise<boolean>, ms = CHILD_TIMEOUT_MS): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await fn()) return
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

export interface Node { primary: ChildProcess, port: number, output: () => string }

export async function startNode (t: Test, upstream: string): Promise<Node> {
  const port = await freePort()
  return await spawnNode(t, port, [
    'server:', '  host: 127.0.0.1', `  port: ${port}`, '  workers: 2', '  shutdownTimeout: 2s',
    'upstream:', `  url: ${upstream}`,
    'redis:', '  enabled: false',
    'log:', '  level: info', '  requests: false',
    'metrics:', '  enabled: true', 'cache:', '  enabled: false', 'rateLimit:', '  enabled: false'
  ])
}

/** Starts `sipup-sidecar start` on a config of these lines and waits until the primary reports 2 workers listening. */
export async function spawnNode (t: Test, port: number, config: readonly string[], dir: string = t.testdir({})): Promise<Node> {
  const file = join(dir, 'sidecar.yaml')
  writeFileSync(file, config.join('\n') + '\n')
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
  // Two workers loading every module at once take 40 s and more on the shared 2-core machine when it is loaded.
  await until('the primary to report its workers listening', () => /2 workers listening/.test(err) || primary.exitCode !== null)
  return { primary, port, output: () => err }
}
