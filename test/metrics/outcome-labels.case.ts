// What other plugins write into request.sidecar (route, the `cache` and `rateLimit` fields) becomes labels and
// dashboard figures. A test plugin plays the cache and the rate limiter here (it defines their fields and answers
// every proxied request itself), so this holds whatever those plugins do.
import t from '../helpers/cases.js'
import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import { buildWithPlugins, testPlugin } from '../helpers/plugin-app.js'
import { sample } from './prom-text.js'

const stubPlugins = testPlugin('stub', async fastify => {
  const cache = fastify.sidecar.defineRequestField('cache')
  const rateLimit = fastify.sidecar.defineRequestField('rateLimit')
  const hook: onRequestHookHandler = async (request, reply) => {
    const q = request.query as Record<string, string | undefined>
    request.sidecar.route = q.route ?? 'proxy'
    if (q.cache !== undefined) cache.set(request.sidecar, q.cache)
    if (q.limited !== undefined) {
      rateLimit.set(request.sidecar, 'limited')
      return reply.code(429).send('slow down')
    }
    if (q.cache === 'MISS') request.sidecar.upstreamMs = 12
    return reply.send('ok')
  }
  fastify.sidecar.addProxyHook('onRequest', hook, { name: 'stub' })
})

async function build (): Promise<FastifyInstance> {
  const { app } = await buildWithPlugins([stubPlugins], { rateLimit: { enabled: false }, cache: { enabled: false } })
  return app
}

t.test('a cache hit adds one to the hit counter', async t => {
  const app = await build()
  t.after(() => app.close())
  await app.inject('/a?cache=MISS&route=products')
  await app.inject('/a?cache=HIT&route=products')
  await app.inject('/a?cache=HIT&route=products')
  const text = (await app.inject('/_admin/metrics')).body
  t.equal(sample(text, 'sipup_http_requests_total', { route: 'products', cache: 'HIT' }), 2)
  t.equal(sample(text, 'sipup_http_requests_total', { route: 'products', cache: 'MISS' }), 1)
  t.equal(sample(text, 'sipup_upstream_request_duration_seconds_count', { route: 'products' }), 1, 'only the miss went upstream')
  const products = app.sidecarMetrics?.routes.summaries().routes.find(r => r.route === 'products')
  t.equal(products?.lookups, 3)
  t.equal(products?.hitRatio, 2 / 3)
})

t.test('a 429 adds one to the limited figures', async t => {
  const app = await build()
  t.after(() => app.close())
  await app.inject('/login?limited=1&route=login')
  const text = (await app.inject('/_admin/metrics')).body
  t.equal(sample(text, 'sipup_http_requests_total', { route: 'login', status_class: '4xx' }), 1)
  t.equal(app.sidecarMetrics?.routes.summaries().total.limited, 1)
})

t.test('admin-side and non-proxy routes are not counted', async t => {
  const app = await build()
  t.after(() => app.close())
  await app.inject('/_admin/metrics')
  await app.inject('/_admin/metrics')
  const text = (await app.inject('/_admin/metrics')).body
  t.equal(sample(text, 'sipup_http_requests_total'), 0)
})

t.test('unknown cache outcomes are labels too, but bounded', async t => {
  const app = await build()
  t.after(() => app.close())
  for (let i = 0; i < 50; i++) await app.inject(`/x?cache=WEIRD${i}`)
  const text = (await app.inject('/_admin/metrics')).body
  const outcomes = new Set([...text.matchAll(/sipup_http_requests_total\{[^}]*cache="([^"]+)"/g)].map(m => m[1]))
  t.ok(outcomes.size <= 11, `${outcomes.size} cache label values`)
  t.ok(outcomes.has('other'))
  t.equal(sample(text, 'sipup_http_requests_total'), 50, 'nothing lost, only folded')
})
