// A plugin's route group (the job endpoint's kind): its own credential, problem-details errors, a 404 for anything
// else under its prefix (never forwarded to the origin), never cached, its own rate limit and metrics label.
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import type { FastifyRequest } from 'fastify'
import { request } from 'undici'
import { SIPUP_ERR_ADMIN_UNAUTHORIZED } from '../../src/errors.js'
import type { RouteGroup } from '../../src/core/types.js'
import { buildWithPlugins, testPlugin } from '../helpers/plugin-app.js'
import { closeSidecar, startOrigin } from '../helpers/sidecar.js'
import { sample } from '../metrics/prom-text.js'

function helloGroup (overrides: Partial<RouteGroup> = {}): RouteGroup {
  return {
    name: 'hello',
    prefix: '/_hello',
    authenticate (request: FastifyRequest) {
      // Any coded 401 will do; the group's own plugin defines its own in real life.
      if (request.headers.authorization !== 'Bearer group-secret') throw new SIPUP_ERR_ADMIN_UNAUTHORIZED()
    },
    rateLimit: null,
    bodyLimit: 64,
    async routes (scope) {
      scope.get('/greeting', async () => ({ hello: 'world', at: Date.now() }))
      scope.post('/echo', async req => ({ got: req.body }))
    },
    ...overrides
  }
}

async function start (t: Test, group: RouteGroup, overrides: Record<string, unknown> = {}) {
  const origin = await startOrigin((_req, res) => { res.setHeader('cache-control', 'public, max-age=60'); res.end('origin page') })
  t.after(() => origin.close())
  const plugin = testPlugin('hello', async fastify => { fastify.sidecar.addRouteGroup(group) })
  const { app } = await buildWithPlugins([plugin], { upstream: { url: origin.url }, ...overrides })
  t.after(() => closeSidecar(app))
  await app.listen({ host: '127.0.0.1', port: 0 })
  const addr = app.server.address()
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`
  return { app, url, origin }
}

const auth = { authorization: 'Bearer group-secret' }

t.test('the group answers with its own credential; without it, a 401 as problem details', async t => {
  const { url } = await start(t, helloGroup())
  const ok = await request(`${url}/_hello/greeting`, { headers: auth })
  t.equal(ok.statusCode, 200)
  t.equal((await ok.body.json() as { hello: string }).hello, 'world')
  const denied = await request(`${url}/_hello/greeting`)
  t.equal(denied.statusCode, 401)
  t.match(denied.headers['content-type'], /application\/problem\+json/)
  t.match(await denied.body.json(), { status: 401, code: 'SIPUP_ERR_ADMIN_UNAUTHORIZED', title: 'Unauthorized' })
  const adminToken = await request(`${url}/_hello/greeting`, { headers: { authorization: 'Bearer wrong' } })
  await adminToken.body.dump()
  t.equal(adminToken.statusCode, 401)
})

t.test('nothing under the prefix reaches the origin: unknown paths and methods are a 404 problem', async t => {
  const { url, origin } = await start(t, helloGroup())
  for (const [method, path] of [['GET', '/_hello'], ['POST', '/_hello'], ['GET', '/_hello/'], ['GET', '/_hello/nope'], ['DELETE', '/_hello/greeting'], ['PURGE', '/_hello/x/y']] as const) {
    const res = await request(`${url}${path}`, { method, headers: auth })
    t.equal(res.statusCode, 404, `${method} ${path}`)
    t.match(await res.body.json(), { code: 'SIPUP_ERR_ROUTE_NOT_FOUND' })
  }
  t.equal(origin.requests.length, 0)
  const page = await request(`${url}/_hellothere`)
  t.equal(await page.body.text(), 'origin page', 'a path that only starts like the prefix is the site\'s')
})

t.test('bad bodies get coded problems: invalid JSON 400, too large 413, wrong type 415', async t => {
  const { url } = await start(t, helloGroup())
  const bad = await request(`${url}/_hello/echo`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"a":' })
  t.equal(bad.statusCode, 400)
  t.match(await bad.body.json(), { code: 'SIPUP_ERR_REQUEST_INVALID' })
  const big = await request(`${url}/_hello/echo`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ a: 'x'.repeat(100) }) })
  t.equal(big.statusCode, 413)
  t.match(await big.body.json(), { code: 'SIPUP_ERR_REQUEST_BODY_TOO_LARGE' })
  const type = await request(`${url}/_hello/echo`, { method: 'POST', headers: { ...auth, 'content-type': 'text/x-nope' }, body: 'hi' })
  t.equal(type.statusCode, 415)
  t.match(await type.body.json(), { code: 'SIPUP_ERR_REQUEST_MEDIA_TYPE' })
  const good = await request(`${url}/_hello/echo`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"a":1}' })
  t.same(await good.body.json(), { got: { a: 1 } })
})

t.test('never cached, even under a rule that caches everything; counted under the group\'s label', async t => {
  const { url } = await start(t, helloGroup(), {
    cache: { enabled: true, store: 'memory', rules: [{ name: 'all', path: '/*', ttl: '1m', override: true }] }
  })
  const a = await (await request(`${url}/_hello/greeting`, { headers: auth })).body.json() as { at: number }
  await new Promise(resolve => setTimeout(resolve, 5))
  const second = await request(`${url}/_hello/greeting`, { headers: auth })
  const b = await second.body.json() as { at: number }
  t.not(a.at, b.at, 'answered afresh')
  t.equal(second.headers['cache-status'], undefined)
  const text = await (await request(`${url}/_admin/metrics`)).body.text()
  t.equal(sample(text, 'sipup_http_requests_total', { route: 'hello' }), 2)
})

t.test('a group\'s rate limit is its own, per client IP, and answers 429 with Retry-After', async t => {
  const { url } = await start(t, helloGroup({ rateLimit: { limit: 3, windowMs: 60_000 } }), {
    rateLimit: { enabled: true, store: 'memory', ip: { enabled: false }, user: { enabled: false }, rules: [] }
  })
  const statuses: number[] = []
  for (let i = 0; i < 5; i++) {
    const res = await request(`${url}/_hello/greeting`, { headers: { ...auth, accept: 'application/json' } })
    statuses.push(res.statusCode)
    if (res.statusCode === 429) {
      t.ok(Number(res.headers['retry-after']) > 0)
      t.match(await res.body.json(), { code: 'SIPUP_ERR_RATELIMIT_LIMITED', 'violated-policies': ['group:hello'] })
    } else {
      await res.body.dump()
    }
  }
  t.same(statuses, [200, 200, 200, 429, 429])
  const page = await request(`${url}/page`)
  await page.body.dump()
  t.equal(page.statusCode, 200, 'the site is not limited by the group\'s tier')
})

t.test('a group whose prefix overlaps the admin\'s is refused at start-up', async t => {
  const plugin = testPlugin('hello', async fastify => { fastify.sidecar.addRouteGroup(helloGroup({ prefix: '/_admin/jobs' })) })
  await t.rejects(buildWithPlugins([plugin]), { code: 'SIPUP_ERR_ROUTE_GROUP_INVALID', message: /overlaps admin\.prefix/ })
})
