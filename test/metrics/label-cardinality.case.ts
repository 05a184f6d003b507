// 10,000 distinct paths must not become 10,000 series: the route label is a rule/route name, never the path, and
// even a plugin that wrongly sets it from the path is folded into `other` after metrics.maxRoutes values.
import t from '../helpers/cases.js'
import { Pool } from 'undici'
import { buildWithPlugins, testPlugin } from '../helpers/plugin-app.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { seriesCount, sample } from './prom-text.js'

const PATHS = 10_000
const CONCURRENCY = 32

t.test('10,000 distinct paths through the proxy stay one series', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => sc.close())
  const pool = new Pool(sc.url, { connections: CONCURRENCY })
  t.after(() => pool.close())
  let next = 0
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < PATHS) {
      const i = next++
      const res = await pool.request({ method: 'GET', path: `/product/${i}?q=${i}` })
      await res.body.dump()
    }
  }))
  const text = await (await fetch(`${sc.url}/_admin/metrics`)).text()
  t.equal(sample(text, 'sipup_http_requests_total'), PATHS, 'every request counted')
  t.equal(seriesCount(text, 'sipup_http_requests_total'), 1)
  t.notMatch(text, /product\/\d/, 'no path in any label')
  const routes = sc.app.sidecarMetrics?.routes.summaries().routes ?? []
  t.equal(routes.length, 1, 'one row in the dashboard\'s route table')
})

t.test('a plugin that sets the route from the path is capped at maxRoutes', async t => {
  const pathAsRoute = testPlugin('pathAsRoute', async fastify => {
    fastify.sidecar.addProxyHook('onRequest', async (request, reply) => {
      request.sidecar.route = request.url
      return reply.send('ok')
    }, { name: 'pathAsRoute' })
  })
  const { app } = await buildWithPlugins([pathAsRoute], { metrics: { maxRoutes: 50 } })
  t.after(() => app.close())
  for (let i = 0; i < PATHS; i++) await app.inject(`/p/${i}`)
  const text = await app.sidecar.metrics.metrics()
  const routes = new Set([...text.matchAll(/sipup_http_requests_total\{route="([^"]+)"/g)].map(m => m[1]))
  t.equal(routes.size, 51, '50 routes and other')
  t.ok(routes.has('other'))
  t.equal(sample(text, 'sipup_http_requests_total'), PATHS, 'nothing lost, only folded')
  t.ok((app.sidecarMetrics?.routes.summaries().routes.length ?? 0) <= 51, 'the route table is bounded the same way')
})
