// The one graceful close, used by the process on SIGTERM and by every test that starts a sidecar: stop accepting,
// close keep-alive connections as soon as they go idle, let in-flight requests finish until the deadline, then
// close what is left. Nothing ever waits out a keep-alive timeout.
import type { Server } from 'node:http'
import type { FastifyInstance } from 'fastify'

/** How often idle keep-alive connections are closed while shutting down. */
const IDLE_SWEEP_MS = 50

/** Resolves true when everything finished within `timeoutMs`, false when connections had to be cut. */
export async function closeGracefully (app: FastifyInstance, timeoutMs: number): Promise<boolean> {
  return await drainAndClose(app.server, () => app.close(), timeoutMs, () => {
    app.log.warn('shutdown deadline reached: closing the remaining connections')
  })
}

/** The mechanism under closeGracefully, for any node:http server: `close` stops accepting (and resolves once every
 * connection is gone); meanwhile idle keep-alive connections are swept, and past `timeoutMs` the rest are cut. */
export async function drainAndClose (server: Server, close: () => Promise<unknown>, timeoutMs: number, onCut?: () => void): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<false>(resolve => {
    timer = setTimeout(() => resolve(false), timeoutMs)
    timer.unref()
  })
  const sweep = server.listening ? setInterval(() => { server.closeIdleConnections() }, IDLE_SWEEP_MS) : null
  const closed = close().then(() => true as const)
  const finished = await Promise.race([closed, deadline])
  clearTimeout(timer)
  if (sweep !== null) clearInterval(sweep)
  if (!finished) {
    onCut?.()
    server.closeAllConnections()
    await closed.catch(() => undefined)
  }
  return finished
}
