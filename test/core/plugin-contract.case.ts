// The core's contract with plugins: each registration window closes at its fixed point and a late call fails loudly
// with a code; hooks and interceptors run in the order the plugins declare, whatever order they registered in.
import t from '../helpers/cases.js'
import type { FastifyInstance } from 'fastify'
import { request } from 'undici'
import { buildWithPlugins, testPlugin } from '../helpers/plugin-app.js'
import { closeSidecar, startOrigin } from '../helpers/sidecar.js'

async function listen (app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const addr = app.server.address()
  return `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`
}

t.test('a call after its window throws SIPUP_ERR_PLUGIN_LATE_CALL naming the method', async t => {
  const late: Record<string, unknown> = {}
  const lateCaller = testPlugin('late', async fastify => {
    const s = fastify.sidecar
    fastify.addHook('onReady', async () => {
      const attempts: Record<string, () => void> = {
        addProxyHook: () => { s.addProxyHook('onRequest', async () => {}, { name: 'late' }) },
        addRouteGroupHook: () => { s.addRouteGroupHook('onRequest', async () => {}, { name: 'late' }) },
        addAdminRoutes: () => { s.addAdminRoutes(async () => {}) },
        addUpstreamInterceptor: () => { s.addUpstreamInterceptor(dispatch => dispatch, { name: 'late' }) },
        defineRequestField: () => { s.defineRequestField('late') },
        addRouteGroup: () => {
          s.addRouteGroup({ name: 'late', prefix: '/_late', authenticate: () => {}, rateLimit: null, bodyLimit: 1024, routes: async () => {} })
        }
      }
      for (const [name, call] of Object.entries(attempts)) {
        try {
          call()
          late[name] = 'accepted'
        } catch (err) {
          late[name] = err
        }
      }
    })
  })
  const { app } = await buildWithPlugins([lateCaller])
  t.after(() => app.close())
  await app.ready()
  for (const name of ['addProxyHook', 'addRouteGroupHook', 'addAdminRoutes', 'addUpstreamInterceptor', 'defineRequestField', 'addRouteGroup']) {
    t.match(late[name], { code: 'SIPUP_ERR_PLUGIN_LATE_CALL', message: new RegExp(`sidecar\\.${name} called after`) }, name)
  }
})

t.test('sidecar.upstream read while plugins register throws SIPUP_ERR_UPSTREAM_NOT_READY', async t => {
  let seen: unknown = null
  const early = testPlugin('early', async fastify => {
    try {
      void fastify.sidecar.upstream
    } catch (err) {
      seen = err
    }
  })
  const { app } = await buildWithPlugins([early])
  t.after(() => app.close())
  await app.ready()
  t.match(seen, { code: 'SIPUP_ERR_UPSTREAM_NOT_READY' })
  t.ok(app.sidecar.upstream, 'available once ready')
})

t.test('proxy hooks run in their declared order, not in registration order', async t => {
  const order: string[] = []
  // Registered first, but declared after `second`.
  const first = testPlugin('first', async fastify => {
    fastify.sidecar.addProxyHook('onRequest', async request => { if (request.url === '/probe') order.push('first') }, { name: 'first', after: ['second'] })
  })
  const second = testPlugin('second', async fastify => {
    fastify.sidecar.addProxyHook('onRequest', async request => { if (request.url === '/probe') order.push('second') }, { name: 'second' })
  })
  const third = testPlugin('third', async fastify => {
    fastify.sidecar.addProxyHook('onRequest', async (request, reply) => {
      if (request.url !== '/probe') return
      order.push('third')
      return reply.send('stop')
    }, { name: 'third', after: ['first'] })
  })
  const { app } = await buildWithPlugins([first, second, third])
  t.after(() => app.close())
  const res = await app.inject('/probe')
  t.equal(res.body, 'stop')
  t.same(order, ['second', 'first', 'third'])
})

t.test('before/after declarations that form a circle stop start-up with SIPUP_ERR_PLUGIN_ORDER', async t => {
  const a = testPlugin('a', async fastify => { fastify.sidecar.addProxyHook('onRequest', async () => {}, { name: 'a', before: ['b'] }) })
  const b = testPlugin('b', async fastify => { fastify.sidecar.addProxyHook('onRequest', async () => {}, { name: 'b', before: ['a'] }) })
  await t.rejects(buildWithPlugins([a, b]), { code: 'SIPUP_ERR_PLUGIN_ORDER', message: /a, b form a circle/ })
})

t.test('upstream interceptors: one declared before another is the outer one, whatever the registration order', async t => {
  const origin = await startOrigin((_req, res) => { res.end('origin') })
  t.after(() => origin.close())
  const seen: string[] = []
  const tag = (name: string) => (dispatch: Parameters<Parameters<FastifyInstance['sidecar']['addUpstreamInterceptor']>[0]>[0]) =>
    (opts: Parameters<typeof dispatch>[0], handler: Parameters<typeof dispatch>[1]) => {
      seen.push(name)
      return dispatch(opts, handler)
    }
  const inner = testPlugin('inner', async fastify => { fastify.sidecar.addUpstreamInterceptor(tag('inner'), { name: 'inner', after: ['outer'] }) })
  const outer = testPlugin('outer', async fastify => { fastify.sidecar.addUpstreamInterceptor(tag('outer'), { name: 'outer' }) })
  const { app } = await buildWithPlugins([inner, outer], { upstream: { url: origin.url } })
  t.after(() => closeSidecar(app))
  const url = await listen(app)
  const res = await request(`${url}/x`)
  t.equal(await res.body.text(), 'origin')
  t.same(seen, ['outer', 'inner'])
})

t.test('a request field a plugin defines is on the access log, and another plugin reads it', async t => {
  const lines: Record<string, unknown>[] = []
  const read: { name: string | null, absent: unknown } = { name: null, absent: undefined }
  const writer = testPlugin('writer', async fastify => {
    const field = fastify.sidecar.defineRequestField('verdict')
    fastify.sidecar.addProxyHook('onRequest', async (request, reply) => {
      field.set(request.sidecar, 'checked')
      return reply.send('ok')
    }, { name: 'writer' })
  })
  const reader = testPlugin('reader', async fastify => {
    fastify.addHook('onReady', async () => {
      read.name = fastify.sidecar.requestField('verdict')?.name ?? null
      read.absent = fastify.sidecar.requestField('nobody-defines-this')
    })
  })
  const { app } = await buildWithPlugins([writer, reader], { log: { requests: true } }, { logLines: lines })
  t.after(() => app.close())
  await app.inject('/page')
  t.equal(read.name, 'verdict')
  t.equal(read.absent, null, 'a field nobody defined is null')
  t.equal(lines.find(l => l.msg === 'request')?.verdict, 'checked')
})

t.test('a worker-role app registers only worker-role plugins and never listens', async t => {
  const registered: string[] = []
  const workerSide = testPlugin('workerSide', async fastify => { registered.push(`workerSide:${fastify.sidecar.role}`) }, { roles: ['worker'] })
  const proxySide = testPlugin('proxySide', async () => { registered.push('proxySide') })
  const { app } = await buildWithPlugins([workerSide, proxySide], { cache: { enabled: true, store: 'memory' } }, { role: 'worker' })
  t.after(() => app.close())
  await app.ready()
  t.same(registered, ['workerSide:worker'])
  t.equal(app.server.listening, false)
  t.notOk(app.hasDecorator('sidecarCache'), 'the cache (proxy role) is not loaded')
  t.ok(app.hasDecorator('sidecarMetrics'), 'metrics run in the worker role too')
  t.equal((await app.inject('/anything')).statusCode, 404, 'no proxy route')
  t.equal((await app.inject('/_admin/health')).statusCode, 404, 'no admin')
})

t.test('runWorker: the worker process starts its plugins with no listener, says so, and shuts down on request', async t => {
  const { runWorker } = await import('../../src/run.js')
  const { createConfigLoader } = await import('../../src/config/load.js')
  const { composeConfigSpec } = await import('../../src/sidecar-config.js')
  const { pluginEntries } = await import('../../src/plugins/registry.js')
  const { Writable } = await import('node:stream')
  let stopped = false
  const busy = testPlugin('busy', async fastify => {
    fastify.sidecar.onClose(() => { stopped = true })
  }, { roles: ['worker'] })
  const entries = [...pluginEntries, busy]
  const { config } = createConfigLoader<Parameters<typeof runWorker>[0]>(composeConfigSpec(entries))
    .load({ env: {}, overrides: { redis: { enabled: false }, log: { level: 'silent' } } })
  let printed = ''
  const out = new Writable({ write (chunk: Buffer, _enc, cb) { printed += chunk.toString(); cb() } })
  const worker = await runWorker(config, { plugins: entries, signals: false, out })
  t.equal(worker.url, '')
  t.equal(worker.app.server.listening, false)
  t.match(printed, /worker running \(no listener\)/)
  t.equal(await worker.shutdown('test'), true)
  t.ok(stopped, 'the plugin\'s close hook ran')
})
