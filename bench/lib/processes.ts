// Each party of a benchmark runs in its own process, so a proxy never shares an event loop with its origin.
import { spawn, type ChildProcess } from 'node:child_process'

export interface Started { child: ChildProcess, stop(): Promise<void> }

/** Spawns `node [execArgv...] script args...` and resolves once it prints a line matching `ready`. */
export function startProcess (script: string, args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {},
  execArgv: readonly string[] = []): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...execArgv, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
    let out = ''
    const onData = (c: Buffer): void => {
      out += c.toString()
      if (ready.test(out)) {
        child.stdout?.off('data', onData)
        child.stderr?.off('data', onData)
        child.stdout?.resume()
        child.stderr?.resume()
        resolve({ child, stop: () => stopProcess(child) })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', code => reject(new Error(`${script} ${args.join(' ')} exited with ${String(code)} before it was ready:\n${out}`)))
  })
}

export function stopProcess (child: ChildProcess): Promise<void> {
  return new Promise(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) { resolve(); return }
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), 3000).unref()
  })
}

/** Polls `url` until `ready` accepts an answer (default: any 2xx), for up to 5 s. */
export async function waitFor (url: string, ready: (res: Response) => boolean = res => res.ok): Promise<void> {
  for (let i = 0; i < 50; i++) {
    try {
      const res = await fetch(url)
      await res.arrayBuffer()
      if (ready(res)) return
    } catch { /* not up yet */ }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`${url} did not come up`)
}

/** Calls `on` with each whole line the process writes to stdout (a line split across chunks is joined first). */
export function onLines (p: Started, on: (line: string) => void): void {
  let buf = ''
  p.child.stdout?.on('data', (c: Buffer) => {
    buf += c.toString()
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      on(buf.slice(0, nl))
      buf = buf.slice(nl + 1)
    }
  })
}
