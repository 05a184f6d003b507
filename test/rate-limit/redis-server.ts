// A redis-server of the test's own, on a free port, that the test can kill, freeze and restart.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'

export const REDIS_SERVER = '/usr/bin/redis-server'

export async function freePort (): Promise<number> {
  const srv = createServer()
  srv.listen(0, '127.0.0.1')
  await once(srv, 'listening')
  const port = (srv.address() as AddressInfo).port
  srv.close()
  await once(srv, 'close')
  return port
}

/** Starts redis-server on `port` and resolves once it accepts connections. */
export async function startRedis (port: number): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString()
      if (out.includes('Ready to accept connections')) resolve()
    })
    child.once('exit', code => { reject(new Error(`redis-server exited (${code}): ${out}`)) })
  })
  return child
}

export async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGKILL')
  await exited
}
