// The composition root: builds the Fastify application of one process role from a validated config. Fixed points,
// in order: the core (container + registration windows) → every method Node knows → enabled capability plugins of
// the role → route groups → the proxy route → the admin. Each mount closes its window; hooks and interceptors are
// ordered by what the plugins declare, not by the order they registered in.
import http from 'node:http'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { FrozenConfig } from './sidecar-config.js'
import { SidecarContainer } from './core/container.js'
import corePlugin, { SidecarApp } from './core/sidecar.js'
import accessLog, { createAccessLog } from './core/access-log.js'
import { routeGroupsPlugin } from './core/route-groups.js'
import { sidecarServerFactory, type RequestFront } from './core/http-server.js'
import { watchCertificateExpiry } from './core/tls/expiry-watch.js'
import type { ProcessRole } from './core/types.js'
import proxyPlugin from './proxy/index.js'
import { FastifyPaths } from './proxy/bypass.js'
import { installOriginGuard } from './proxy/origin-guard/create.js'
import { workerSlot } from './cluster/worker-slot.js'
import { guardStatusReader } from './proxy/origin-guard/node-status.js'
import adminPlugin from './admin/index.js'
import type { PluginEntry } from './plugins/plugin-entry.js'
import { pluginEntries } from './plugins/registry.js'
import { createLogger } from './logger.js'

export interface BuildAppOptions {
  /** A logger to use instead of one made from config.log (tests pass a silent one). */
  logger?: FastifyBaseLogger
  /** What the process is for. @default 'proxy' */
  role?: Exclude<ProcessRole, 'cli'>
  /** The capability plugins (tests and embedders add their own). @default the registry */
  plugins?: readonly PluginEntry[]
}

function sharedRequestLogger (logger: FastifyBaseLogger): FastifyBaseLogger {
  return logger
}

/** Every method Node's parser knows, so WebDAV and PURGE requests reach the origin (or a plugin) too. Added before
 * any route, so the admin's and the route groups' catch-alls cover them as well. */
function addProxiedMethods (app: FastifyInstance): void {
  const known = new Set(app.supportedMethods)
  for (const m of http.METHODS) {
    if (m !== 'CONNECT' && !known.has(m)) app.addHttpMethod(m, { hasBody: true })
  }
}

export async function buildApp (config: FrozenConfig, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const role = opts.role ?? 'proxy'
  const s = config.server
  // Filled in by the proxy route at ready: proxied requests skip Fastify's router (src/proxy/bypass.ts).
  const front: RequestFront = { handle: null }
  const app = Fastify({
    loggerInstance: opts.logger ?? createLogger(config.log),
    // Fastify's own two lines per request are replaced by our one access-log line (src/core/access-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    // A pino child per request costs allocations on every proxied request; log lines that need the request id
    // carry it themselves (reqId), so every request shares the root logger.
    childLoggerFactory: sharedRequestLogger,
    trustProxy: [...s.trustProxy],
    // The server (timeouts, limits, the request and connection guards) is made in src/core/http-server.ts.
    serverFactory: sidecarServerFactory(s, undefined, front),
    forceCloseConnections: 'idle',
    // A request that reaches a closing server (a connection the cluster primary handed over just before this
    // worker stopped listening, or the next request on a kept-alive one) is served, not refused: the drain below
    // closes each connection as soon as it goes idle, and the shutdown deadline bounds the rest.
    return503OnClosing: false
  })

  const sidecar = new SidecarApp(new SidecarContainer(config, { role, log: app.log }))
  watchCertificateExpiry(app, sidecar.metrics, config.server.tls.expiryWarning)
  try {
    await mount(app, sidecar, config, role, opts.plugins ?? pluginEntries, front)
  } catch (err) {
    // A plugin that refuses its config must not leave Redis or MySQL connections holding the process open.
    await app.close().catch(() => undefined)
    await sidecar.container.close()
    throw err
  }
  return app
}

async function mount (app: FastifyInstance, sidecar: SidecarApp, config: FrozenConfig, role: Exclude<ProcessRole, 'cli'>,
  entries: readonly PluginEntry[], front: RequestFront): Promise<void> {
  // Every route but the proxy's own stays with Fastify's router: the admin's, the route groups', any plugin's.
  const paths = new FastifyPaths()
  app.addHook('onRoute', route => { if (route.config?.sidecarProxy !== true) paths.add(route.url) })
  await app.register(corePlugin, { sidecar })
  if (role === 'proxy') {
    if (config.log.requests) await app.register(accessLog)
    addProxiedMethods(app)
  }

  // Every section the entries name was validated with its schema; `opts.plugins` may name sections FrozenConfig
  // doesn't know (a test's or an embedder's own plugin), hence the index by string.
  const sections = config as unknown as Readonly<Record<string, { readonly enabled: boolean }>>
  for (const entry of entries) {
    if (!entry.roles.includes(role)) continue
    const section = sections[entry.key]
    if (!section.enabled) {
      sidecar.reportFeature({ name: entry.key, state: 'off', detail: `${entry.key}.enabled is false` })
      continue
    }
    await entry.mount(app, section)
  }

  if (role === 'proxy') {
    await app.register(routeGroupsPlugin, sidecar.takeRouteGroups())
    // After every plugin registered its interceptors, so origin protection ends up innermost (inside the cache).
    const guard = installOriginGuard(sidecar, config.upstream, workerSlot())
    for (const group of sidecar.routeGroups) paths.addPrefix(group.prefix)
    if (config.admin.enabled) paths.addPrefix(config.admin.prefix)
    await app.register(proxyPlugin, {
      config,
      hooks: sidecar.takeProxyHooks(),
      front,
      paths,
      appOnResponse: config.log.requests ? [createAccessLog(sidecar)] : [],
      newRequestState: route => sidecar.newRequestState(route)
    })
    const adminRoutes = sidecar.takeAdminRoutes()
    if (config.admin.enabled) {
      await app.register(adminPlugin, { config, routes: adminRoutes, prefix: config.admin.prefix, originGuard: guard === null ? null : guardStatusReader(guard, sidecar.node) })
    }
  }
}
