// Real sockets on port 0: an origin server the test controls, and a sidecar built from config overrides.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { buildApp } from '../../src/app.js'
import { closeGracefully } from '../../src/core/shutdown.js'
import { loadConfig } from '../../src/sidecar-config.js'
import type { FrozenConfig } from '../../src/sidecar-config.js'

export interface Origin {
  url: string
  port: number
  server: http.Server
  /** Requests the origin has received, in order. */
  requests: { method: string, url: string, headers: http.IncomingHttpHeaders }[]
  close(): Promise<void>
}

export async function startOrigin (handler: http.RequestListener): Promise<Origin> {
  const requests: Origin['requests'] = []
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers })
    handler(req, res)
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    requests,
    close: () => new Promise<void>(resolve => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  }
}

export interface Sidecar {
  app: FastifyInstance
  url: string
  port: number
  config: FrozenConfig
  close(): Promise<void>
}

export type Overrides = Record<string, unknown>

/**
 * Builds and starts a sidecar from config overrides. With `logLines`, every log line is parsed into that array.
 * Builds and starts a sidecar from config overrides (merged over config/default.yaml; no user file, no env).
 * Redis is off unless the overrides turn it on, so tests never depend on it by accident.
 */
export async function startSidecar (overrides: Overrides, opts: { logger?: boolean, logLines?: Record<string, unknown>[] } = {}): Promise<Sidecar> {
  const base: Overrides = { server: { host: '127.0.0.1', port: 0 }, redis: { enabled: false }, log: { level: 'silent', requests: false } }
  const { config } = loadConfig({ env: {}, overrides: deepMerge(base, overrides) })
  const lines = opts.logLines
  const logger = lines !== undefined
    ? pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>) } })
    : pino({ level: opts.logger === true ? 'info' : 'silent' })
  const app = await buildApp(config, { logger })
  await app.listen({ host: config.server.host, port: config.server.port })
  const port = (app.server.address() as AddressInfo).port
  return { app, url: `http://127.0.0.1:${port}`, port, config, close: () => closeSidecar(app) }
}

/** How long a test's sidecar may take to finish in-flight requests on close before its connections are cut. */
export const TEST_SHUTDOWN_MS = 2000

/** Closes as production does (src/core/shutdown.ts): idle keep-alive connections at once, the rest by a deadline. */
export async function closeSidecar (app: FastifyInstance): Promise<void> {
  await closeGracefully(app, TEST_SHUTDOWN_MS)
}

function isPlain (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function deepMerge (a: Overrides, b: Overrides): Overrides {
  const out: Overrides = { ...a }
  for (const [k, v] of Object.entries(b)) out[k] = isPlain(v) && isPlain(out[k]) ? deepMerge(out[k] as Overrides, v) : v
  return out
}
