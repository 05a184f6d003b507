// Starts a sidecar process of one role: the proxy (build, listen, say plainly which features are on/off and why) or
// a worker (build, no listener). Both shut down gracefully on SIGTERM/SIGINT within server.shutdownTimeout.
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { buildApp, type BuildAppOptions } from './app.js'
import type { FrozenConfig } from './sidecar-config.js'
import { redactUrl } from './config/redact.js'
import { closeGracefully } from './core/shutdown.js'
import { tlsStateOf } from './core/tls/secure-server.js'
import { watchCertificateReload } from './core/tls/reload-signal.js'
import { startRedirectServer } from './core/redirect-server.js'

export interface RunningSidecar {
  app: FastifyInstance
  /** The proxy's URL; empty for a worker. */
  url: string
  /** Graceful stop; resolves true when every in-flight request finished within server.shutdownTimeout. */
  shutdown(reason: string): Promise<boolean>
}

export interface RunOptions extends Omit<BuildAppOptions, 'role'> {
  /** Install SIGTERM/SIGINT handlers that shut down and exit the process. @default true */
  signals?: boolean
  /** Where the human start-up summary goes. @default process.stderr */
  out?: NodeJS.WritableStream
}

function handleSignals (app: FastifyInstance, shutdown: (reason: string) => Promise<boolean>, isClosing: () => boolean): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    if (isClosing()) {
      app.log.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    shutdown(signal).then(ok => process.exit(ok ? 0 : 1), () => process.exit(1))
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}

function stopper (app: FastifyInstance, config: FrozenConfig, what: string): { shutdown: (reason: string) => Promise<boolean>, closing: () => boolean } {
  let closing: Promise<boolean> | null = null
  return {
    shutdown: (reason) => {
      closing ??= (async () => {
        app.log.info({ reason, timeoutMs: config.server.shutdownTimeout }, `shutting down: ${what}`)
        return await closeGracefully(app, config.server.shutdownTimeout)
      })()
      return closing
    },
    closing: () => closing !== null
  }
}

export async function runSidecar (config: FrozenConfig, opts: RunOptions = {}): Promise<RunningSidecar> {
  const out = opts.out ?? process.stderr
  const app = await buildApp(config, { ...opts, role: 'proxy' })
  // A port that can't be had must not leave Redis or MySQL connections holding the process open.
  await app.listen({ host: config.server.host, port: config.server.port, backlog: config.server.backlog }).catch(async (err: unknown) => {
    await app.close().catch(() => undefined)
    throw err
  })
  const addr = app.server.address() as AddressInfo
  if (config.server.redirectHttp.enabled && tlsStateOf(app.server) !== null) {
    const redirect = await startRedirectServer(config.server, config.upstream.url, addr.port).catch(async (err: unknown) => {
      await app.close().catch(() => undefined)
      throw err
    })
    app.server.once('close', () => { redirect.close().catch(() => undefined) })
  }
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  const wildcard = host === '0.0.0.0' || host === '[::]'
  // `url` is where this machine reaches the proxy; the start-up line names the address actually bound, so an
  // operator sees at once whether the proxy is reachable from other machines.
  const scheme = tlsStateOf(app.server) === null ? 'http' : 'https'
  const url = `${scheme}://${wildcard ? '127.0.0.1' : host}:${addr.port}`
  const bound = `${scheme}://${host}:${addr.port}${wildcard ? ' (every interface: reachable from other machines)' : ''}`
  out.write(summary(app, config, url, bound))
  const { shutdown, closing } = stopper(app, config, 'no new connections, finishing in-flight requests')
  if (opts.signals !== false) {
    handleSignals(app, shutdown, closing)
    watchCertificateReload(app)
  }
  return { app, url, shutdown }
}

/** A worker process: the plugins of the worker role, ready, and no listener. */
export async function runWorker (config: FrozenConfig, opts: RunOptions = {}): Promise<RunningSidecar> {
  const out = opts.out ?? process.stderr
  const app = await buildApp(config, { ...opts, role: 'worker' })
  await app.ready()
  out.write(['sipup-sidecar worker running (no listener)', ...featureLines(app)].join('\n') + '\n')
  const { shutdown, closing } = stopper(app, config, 'finishing active work')
  if (opts.signals !== false) handleSignals(app, shutdown, closing)
  return { app, url: '', shutdown }
}

function featureLines (app: FastifyInstance): string[] {
  return app.sidecar.features.map(f => `  ${f.name.padEnd(10)} ${f.state.padEnd(8)} ${f.detail}`)
}

function summary (app: FastifyInstance, config: FrozenConfig, url: string, bound: string): string {
  const lines = [`sipup-sidecar listening on ${bound} -> origin ${redactUrl(config.upstream.url)}`]
  const admin = config.admin
  const adminMode = !admin.enabled
    ? 'off (admin.enabled is false)'
    : admin.token === '' && admin.users.length === 0
      ? `on at ${url}${admin.prefix} (loopback clients only: set admin.token / SIDECAR_ADMIN_TOKEN or admin.users)`
      : `on at ${url}${admin.prefix} (${admin.token === '' ? '' : 'bearer token'}${admin.token !== '' && admin.users.length > 0 ? ' + ' : ''}${admin.users.length > 0 ? `${admin.users.length} basic-auth user(s)` : ''})`
  lines.push(`  ${'admin'.padEnd(10)} ${adminMode}`)
  for (const g of app.sidecar.routeGroups) lines.push(`  ${g.name.padEnd(10)} ${'on'.padEnd(8)} route group at ${url}${g.prefix}`)
  lines.push(...featureLines(app))
  return lines.join('\n') + '\n'
}
