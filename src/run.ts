// Starts a sidecar process: build, listen, say plainly which features are on/off and why, and shut down
// gracefully on SIGTERM/SIGINT (stop accepting, let in-flight requests finish up to server.shutdownTimeout).
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { buildApp, type BuildAppOptions } from './app.js'
import type { FrozenConfig } from './config/schema.js'
import { redactUrl } from './config/redact.js'

export interface RunningSidecar {
  app: FastifyInstance
  url: string
  /** Graceful stop; resolves true when every in-flight request finished within server.shutdownTimeout. */
  shutdown(reason: string): Promise<boolean>
}

export interface RunOptions extends BuildAppOptions {
  /** Install SIGTERM/SIGINT handlers that shut down and exit the process. @default true */
  signals?: boolean
  /** Where the human start-up summary goes. @default process.stderr */
  out?: NodeJS.WritableStream
}

export async function runSidecar (config: FrozenConfig, opts: RunOptions = {}): Promise<RunningSidecar> {
  const out = opts.out ?? process.stderr
  const app = await buildApp(config, opts)
  await app.listen({ host: config.server.host, port: config.server.port })
  const addr = app.server.address() as AddressInfo
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${addr.port}`
  out.write(summary(app, config, url))

  let closing: Promise<boolean> | null = null
  const shutdown = (reason: string): Promise<boolean> => {
    closing ??= (async () => {
      app.log.info({ reason, timeoutMs: config.server.shutdownTimeout }, 'shutting down: no new connections, finishing in-flight requests')
      let timer: NodeJS.Timeout | undefined
      const deadline = new Promise<false>(resolve => {
        timer = setTimeout(() => resolve(false), config.server.shutdownTimeout)
        timer.unref()
      })
      // Keep-alive connections that go idle once their last response is done would otherwise hold close() open
      // until server.keepAliveTimeout: close them as soon as they are idle.
      const sweep = setInterval(() => { app.server.closeIdleConnections() }, 50)
      const closed = app.close().then(() => true as const)
      const finished = await Promise.race([closed, deadline])
      clearTimeout(timer)
      clearInterval(sweep)
      if (!finished) {
        app.log.warn('shutdown deadline reached: closing the remaining connections')
        app.server.closeAllConnections()
        await closed.catch(() => undefined)
      }
      return finished
    })()
    return closing
  }

  if (opts.signals !== false) {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (closing !== null) {
        app.log.warn({ signal }, 'second signal: exiting now')
        process.exit(1)
      }
      shutdown(signal).then(ok => process.exit(ok ? 0 : 1), () => process.exit(1))
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
  }
  return { app, url, shutdown }
}

function summary (app: FastifyInstance, config: FrozenConfig, url: string): string {
  const lines = [`sipup-sidecar listening on ${url} -> origin ${redactUrl(config.upstream.url)}`]
  const admin = config.admin
  const adminMode = !admin.enabled
    ? 'off (admin.enabled is false)'
    : admin.token === '' && admin.users.length === 0
      ? `on at ${url}${admin.prefix} (loopback clients only: set admin.token / SIDECAR_ADMIN_TOKEN or admin.users)`
      : `on at ${url}${admin.prefix} (${admin.token === '' ? '' : 'bearer token'}${admin.token !== '' && admin.users.length > 0 ? ' + ' : ''}${admin.users.length > 0 ? `${admin.users.length} basic-auth user(s)` : ''})`
  lines.push(`  ${'admin'.padEnd(10)} ${adminMode}`)
  for (const f of app.sidecar.features) lines.push(`  ${f.name.padEnd(10)} ${f.state.padEnd(8)} ${f.detail}`)
  if (config.mysql.url === '') lines.push(`  ${'mysql'.padEnd(10)} ${'off'.padEnd(8)} mysql.url is empty (set MYSQL_URL): DB features are off`)
  return lines.join('\n') + '\n'
}
