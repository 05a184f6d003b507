// What other plugins write into request.sidecar (route, cache, rateLimit) becomes labels and dashboard figures.
// A stub proxy route plays the cache and the rate limiter here, so this holds whatever those plugins do.
import t from 'tap'
import Fastify, { type FastifyInstance } from 'fastify'
import corePlugin from '../../src/core/sidecar.js'
import metricsPlugin from '../../src/plugins/metrics/index.js'
import { loadConfig } from '../../src/config/load.js'
import { sample } from './prom-text.js'

async function build (): Promise<FastifyInstance> {
  const { config } = loadConfig({ env: {}, overrides: { redis: { enabled: false }, log: { level: 'silent', requests: false } } })
  const app = Fastify({ logger: false })
  await app.register(corePlugin, { config })
  await app.register(metricsPlugin, { config: config.metrics })
  app.get('/*', {
    config: { sidecarProxy: true },
    onRequest: async (request, reply) => {
      const q = request.query as Record<string, string | undefined>
      request.sidecar.route = q.route ?? 'proxy'
      if (q.cache !== undefined) request.sidecar.cache = q.cache
      if (q.limited !== undefined) {
        request.sidecar.rateLimit = 'limited'
        return reply.code(429).send('slow down')
      }
      if (q.cache === 'MISS') request.sidecar.upstreamMs = 12
    }
  }, async () => 'ok')
  app.get('/metrics', async () => app.sidecar.metrics.metrics())
  return app
}

t.test('a cache hit adds one to the hit counter', async t => {
  const app = await build()
  t.after(() => app.close())
  await app.inject('/a?cache=MISS&route=products')
  await app.inject('/a?cache=HIT&route=products')
  await app.inject('/a?cache=HIT&route=products')
  const text = (await app.inject('/metrics')).body
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
  const text = (await app.inject('/metrics')).body
  t.equal(sample(text, 'sipup_http_requests_total', { route: 'login', status_class: '4xx' }), 1)
  t.equal(app.sidecarMetrics?.routes.summaries().total.limited, 1)
})

t.test('admin-side and non-proxy routes are not counted', async t => {
  const app = await build()
  t.after(() => app.close())
  await app.inject('/metrics')
  await app.inject('/metrics')
  const text = (await app.inject('/metrics')).body
  t.equal(sample(text, 'sipup_http_requests_total'), 0)
})

t.test('unknown cache outcomes are labels too, but bounded', async t => {
  const app = await build()
  t.after(() => app.close())
  for (let i = 0; i < 50; i++) await app.inject(`/x?cache=WEIRD${i}`)
  const text = (await app.inject('/metrics')).body
  const outcomes = new Set([...text.matchAll(/sipup_http_requests_total\{[^}]*cache="([^"]+)"/g)].map(m => m[1]))
  t.ok(outcomes.size <= 11, `${outcomes.size} cache label values`)
  t.ok(outcomes.has('other'))
  t.equal(sample(text, 'sipup_http_requests_total'), 50, 'nothing lost, only folded')
})
