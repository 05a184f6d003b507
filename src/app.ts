// The composition root: builds the Fastify application from a validated config. Order matters and is fixed here:
// core decorator → enabled capability plugins (registry order) → proxy route → admin. Plugins register before the
// proxy route exists so their onRoute hooks see it.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { FrozenConfig } from './config/schema.js'
import corePlugin from './core/sidecar.js'
import accessLog from './core/access-log.js'
import proxyPlugin from './proxy/index.js'
import adminPlugin from './admin/index.js'
import { pluginEntries } from './plugins/registry.js'
import { createLogger } from './logger.js'

export interface BuildAppOptions {
  /** A logger to use instead of one made from config.log (tests pass a silent one). */
  logger?: FastifyBaseLogger
}

function sharedRequestLogger (logger: FastifyBaseLogger): FastifyBaseLogger {
  return logger
}

export async function buildApp (config: FrozenConfig, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const s = config.server
  const app = Fastify({
    loggerInstance: opts.logger ?? createLogger(config.log),
    // Fastify's own two lines per request are replaced by our one access-log line (src/core/access-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    // A pino child per request costs allocations on every proxied request; log lines that need the request id
    // carry it themselves (reqId), so every request shares the root logger.
    childLoggerFactory: sharedRequestLogger,
    trustProxy: [...s.trustProxy],
    // Node only enforces headersTimeout/requestTimeout when it sweeps connections, every 30 s by default:
    // sweep often enough that a slowloris client is cut near the configured time.
    http: { maxHeaderSize: s.maxHeaderSize, headersTimeout: s.headersTimeout, connectionsCheckingInterval: Math.max(250, Math.min(1000, s.headersTimeout / 2)) },
    keepAliveTimeout: s.keepAliveTimeout,
    requestTimeout: s.requestTimeout,
    maxRequestsPerSocket: s.maxRequestsPerSocket,
    forceCloseConnections: 'idle',
    return503OnClosing: true
  })
  if (s.maxConnections > 0) app.server.maxConnections = s.maxConnections

  await app.register(corePlugin, { config })
  if (config.log.requests) await app.register(accessLog)

  for (const entry of pluginEntries) {
    const section = config[entry.key] as { enabled: boolean }
    if (!section.enabled) {
      app.sidecar.reportFeature({ name: entry.key, state: 'off', detail: `${entry.key}.enabled is false` })
      continue
    }
    const mod = await entry.load()
    await app.register(mod.default, { config: section as never })
  }

  await app.register(proxyPlugin, { config })
  if (config.admin.enabled) await app.register(adminPlugin, { config, prefix: config.admin.prefix })
  return app
}
