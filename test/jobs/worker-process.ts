// The real worker entry (`sipup-sidecar worker -c FILE`, built to dist/ by npm test's pretest) as a child process.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { stringify } from 'yaml'
import { packageRoot } from '../../src/paths.js'
import { REDIS_URL } from '../helpers/services.js'

export const CLI = join(packageRoot, 'dist', 'src', 'cli', 'index.js')

/** Writes a config file for a worker on `prefix` (removed after the test) and returns its path. */
export function writeWorkerConfig (t: Test, name: string, prefix: string, jobs: Record<string, unknown>): string {
  const file = join(tmpdir(), `sipup-${name}-${process.pid}-${Date.now().toString(36)}.yaml`)
  writeFileSync(file, stringify({ log: { level: 'warn' }, redis: { url: REDIS_URL, keyPrefix: prefix }, jobs: { enabled: true, ...jobs } }))
  t.after(() => { rmSync(file, { force: true }) })
  return file
}

export interface WorkerChild {
  child: ChildProcess
  stderr: () => string
  exited: Promise<number | null>
}

/** Starts a worker and resolves once it says it claims jobs. */
export async function startWorker (configFile: string): Promise<WorkerChild> {
  const child = spawn(process.execPath, [CLI, 'worker', '-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH } })
  let err = ''
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  await new Promise<void>((resolve, reject) => {
    // Generous: a Node process start takes seconds on a loaded 2-core machine.
    const timer = setTimeout(() => { reject(new Error(`worker did not start:\n${err}`)) }, 90_000)
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString()
      if (err.includes('sipup-sidecar worker ')) { clearTimeout(timer); resolve() }
    })
    void exited.then(code => { clearTimeout(timer); reject(new Error(`worker exited (${String(code)}) before it started:\n${err}`)) })
  })
  return { child, stderr: () => err, exited }
}

export async function kill (w: WorkerChild, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return
  w.child.kill(signal)
  await w.exited
}
