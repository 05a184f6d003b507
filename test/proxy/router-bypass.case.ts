// Proxied requests that reach the server skip Fastify's router (src/proxy/bypass.ts) while app.inject() still takes
// the Fastify proxy route: both must answer alike, and everything that is not the proxy stays with Fastify.
import t from '../helpers/cases.js'
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { request } from 'undici'
import { SIPUP_ERR_CACHE_PURGE_FORBIDDEN } from '../../src/errors.js'
import { buildWithPlugins, testPlugin } from '../helpers/plugin-app.js'
import { closeSidecar, startOrigin } from '../helpers/sidecar.js'

async function listen (app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 })
  const addr = app.server.address()
  return `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`
}

const OFF = { rateLimit: { enabled: false }, cache: { enabled: false } }

t.test('a proxy hook that answers (reply.send) answers the same over a socket as through inject', async t => {
  const origin = await startOrigin((_req, res) => { res.end('origin') })
  t.after(() => origin.close())
  const answering = testPlugin('answering', async fastify => {
    fastify.sidecar.addProxyHook('onRequest', async (request, reply) => {
      request.sidecar.setResponseHeader('x-plugin', 'yes')
      if (request.url === '/json') return reply.code(418).header('x-own', '1').send({ stopped: true })
      if (request.url === '/text') return reply.send('stopped')
    }, { name: 'answering' })
  })
  const { app } = await buildWithPlugins([answering], { ...OFF, upstream: { url: origin.url } })
  t.after(() => closeSidecar(app))
  const url = await listen(app)
  for (const path of ['/json', '/text']) {
    const injected = await app.inject(path)
    const res = await request(`${url}${path}`)
    const body = await res.body.text()
    t.equal(res.statusCode, injected.statusCode, `${path}: status`)
    t.equal(body, injected.body, `${path}: body`)
    for (const name of ['content-type', 'content-length', 'x-plugin', 'x-own']) {
      t.equal(res.headers[name], injected.headers[name], `${path}: ${name}`)
    }
  }
  const passed = await request(`${url}/page`)
  t.equal(await passed.body.text(), 'origin', 'a request no hook answers is forwarded')
  t.equal(passed.headers['x-plugin'], 'yes', 'with the plugin\'s response header')
})

t.test('a hook error runs the onError hooks and is Fastify\'s error answer on both paths', async t => {
  const origin = await startOrigin((_req, res) => { res.end('origin') })
  t.after(() => origin.close())
  const seen: string[] = []
  const failing = testPlugin('failing', async fastify => {
    fastify.sidecar.addProxyHook('onRequest', (request, _reply, done) => {
      if (request.url === '/thrown') throw new SIPUP_ERR_CACHE_PURGE_FORBIDDEN('1.2.3.4')
      if (request.url === '/passed') { done(new Error('internal detail')); return }
      // A hook that set a status and then failed: the error's status answers, on Fastify's route as on the bypass.
      if (request.url === '/coded') { _reply.code(429); done(Object.assign(new Error('busy'), { statusCode: 503 })); return }
      done()
    }, { name: 'failing' })
    fastify.sidecar.addProxyHook('onError', async (request, _reply, err) => { seen.push(`${request.url} ${err.message}`) }, { name: 'failing' })
  })
  const { app } = await buildWithPlugins([failing], { ...OFF, upstream: { url: origin.url } })
  t.after(() => closeSidecar(app))
  const url = await listen(app)
  for (const path of ['/thrown', '/passed', '/coded']) {
    const injected = await app.inject(path)
    const res = await request(`${url}${path}`)
    t.equal(res.statusCode, injected.statusCode, `${path}: status`)
    t.same(await res.body.json(), JSON.parse(injected.body), `${path}: body`)
    t.equal(res.headers['content-type'], injected.headers['content-type'], `${path}: content-type`)
  }
  t.equal(seen.length, 6, 'onError ran for each failed request on both paths')
  t.equal(origin.requests.length, 0, 'nothing reached the origin')
})

t.test('a plugin\'s own route and percent-encoded paths stay with Fastify\'s router over a socket', async t => {
  const origin = await startOrigin((req, res) => { res.end(`origin ${req.url ?? ''}`) })
  t.after(() => origin.close())
  const routed = testPlugin('routed', async fastify => {
    fastify.get('/_probe/:id', async request => `probe ${(request.params as { id: string }).id}`)
    fastify.get('/_static', async () => 'static')
  })
  const { app } = await buildWithPlugins([routed], { ...OFF, upstream: { url: origin.url } })
  t.after(() => closeSidecar(app))
  const url = await listen(app)
  const get = async (path: string): Promise<string> => await (await request(`${url}${path}`)).body.text()
  t.equal(await get('/_probe/7'), 'probe 7')
  t.equal(await get('/_probe/%41'), 'probe A', 'decoded by Fastify\'s router')
  t.equal(await get('/_static?x=1'), 'static')
  t.equal(await get('/_static/more'), 'origin /_static/more', 'a static route\'s path only, not what is under it')
  t.equal(await get('/_%73tatic'), 'static', 'an escaped path reaches the route Fastify would match')
  t.equal(await get('/page'), 'origin /page')
})

t.test('proxied requests over a socket get an access-log line with a Fastify request id and the onResponse hooks', async t => {
  const origin = await startOrigin((_req, res) => { res.end('origin') })
  t.after(() => origin.close())
  const statuses: number[] = []
  const observing = testPlugin('observing', async fastify => {
    fastify.sidecar.addProxyHook('onResponse', (_request, reply, done) => { statuses.push(reply.statusCode); done() }, { name: 'observing' })
  })
  const lines: Record<string, unknown>[] = []
  const { app } = await buildWithPlugins([observing], { ...OFF, upstream: { url: origin.url }, log: { requests: true } }, { logLines: lines })
  t.after(() => closeSidecar(app))
  const url = await listen(app)
  const res = await request(`${url}/page?q=1`)
  t.equal(await res.body.text(), 'origin')
  const deadline = Date.now() + 2000
  while (statuses.length === 0 && Date.now() < deadline) await new Promise(resolve => setImmediate(resolve))
  t.same(statuses, [200])
  const line = lines.find(l => l.msg === 'request')
  t.match(line, { method: 'GET', path: '/page', status: 200, ip: '127.0.0.1', reqId: /^req-/ })
  t.type(line?.upstreamMs, 'number')
})

t.test('a Fastify hook outside addProxyHook keeps proxied requests on Fastify\'s route, where it runs', async t => {
  const origin = await startOrigin((_req, res) => { res.end('origin') })
  t.after(() => origin.close())
  const seen: string[] = []
  const global = testPlugin('global', fp(async (fastify: FastifyInstance) => {
    fastify.addHook('onRequest', async request => { seen.push(request.url) })
  }, { name: 'global-hook' }))
  const { app } = await buildWithPlugins([global], { ...OFF, upstream: { url: origin.url } })
  t.after(() => closeSidecar(app))
  const url = await listen(app)
  const res = await request(`${url}/page`)
  t.equal(await res.body.text(), 'origin')
  t.same(seen, ['/page'])
})

t.test('two apps in one process keep their own server.trustProxy on the bypass (the getters are per app)', async t => {
  const origin = await startOrigin((_req, res) => { res.end('origin') })
  t.after(() => origin.close())
  const echoIp = testPlugin('echo-ip', async fastify => {
    fastify.sidecar.addProxyHook('onRequest', async (request, reply) => reply.send(request.ip), { name: 'echo-ip' })
  })
  // Both built before either answers: the one built last must not lend its trust function to the first.
  const trusting = await buildWithPlugins([echoIp], { ...OFF, upstream: { url: origin.url }, server: { trustProxy: ['127.0.0.1'] } })
  t.after(() => closeSidecar(trusting.app))
  const plain = await buildWithPlugins([echoIp], { ...OFF, upstream: { url: origin.url }, server: { trustProxy: [] } })
  t.after(() => closeSidecar(plain.app))
  const urls = [await listen(trusting.app), await listen(plain.app)]
  const ipSeenBy = async (url: string): Promise<string> => {
    const res = await request(`${url}/whoami`, { headers: { 'x-forwarded-for': '203.0.113.7' } })
    return await res.body.text()
  }
  t.equal(await ipSeenBy(urls[0]), '203.0.113.7', 'the app that trusts loopback takes the forwarded address')
  t.equal(await ipSeenBy(urls[1]), '127.0.0.1', 'the app that trusts nobody keeps the peer')
  t.equal(await ipSeenBy(urls[0]), '203.0.113.7', 'and the first still does after the second answered')
})

t.test('a foreign hook named like one the bypass reproduces (logRequest, sendHsts) still keeps requests on Fastify', async t => {
  const origin = await startOrigin((_req, res) => { res.end('origin') })
  t.after(() => origin.close())
  const seen: string[] = []
  const lookalike = testPlugin('lookalike', fp(async (fastify: FastifyInstance) => {
    // The core's hooks are known by identity, so a name proves nothing.
    fastify.addHook('onResponse', async function logRequest (request) { seen.push(`onResponse ${request.url}`) })
    fastify.addHook('onSend', async function sendHsts (request, _reply, payload) { seen.push(`onSend ${request.url}`); return payload })
  }, { name: 'lookalike-hooks' }))
  const { app } = await buildWithPlugins([lookalike], { ...OFF, upstream: { url: origin.url } })
  t.after(() => closeSidecar(app))
  const url = await listen(app)
  const res = await request(`${url}/page`)
  t.equal(await res.body.text(), 'origin')
  // onSend does not run for the hijacked proxy reply; onResponse does, on Fastify's route only.
  for (let i = 0; i < 50 && !seen.includes('onResponse /page'); i++) await new Promise(resolve => setTimeout(resolve, 10))
  t.ok(seen.includes('onResponse /page'), `the lookalike onResponse hook ran: ${seen.join(', ')}`)
})
