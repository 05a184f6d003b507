// Against the real cache and rate-limit plugins: a cache hit and a 429 each move their counters by exactly one.
import t from '../helpers/cases.js'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { packageRoot } from '../../src/paths.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { sample } from './prom-text.js'

const has = (plugin: string): boolean => existsSync(join(packageRoot, 'src', 'plugins', plugin, 'index.ts'))

t.test('a cache hit adds one to the hit counter', { todo: has('cache') ? false : 'cache plugin not there yet' }, async t => {
  const origin = await startOrigin((_req, res) => {
    res.setHeader('cache-control', 'no-store, no-cache, must-revalidate')
    res.end('<h1>product</h1>')
  })
  t.after(() => origin.close())
  const sc = await startSidecar({
    upstream: { url: origin.url },
    cache: { enabled: true, store: 'memory', rules: [{ name: 'products', path: '/products/*', ttl: '1m', override: true }] }
  })
  t.after(() => sc.close())
  const metrics = async (): Promise<string> => (await fetch(`${sc.url}/_admin/metrics`)).text()
  await (await fetch(`${sc.url}/products/1`)).text()
  const before = await metrics()
  t.equal(sample(before, 'sipup_http_requests_total', { route: 'products', cache: 'HIT' }), 0)
  await (await fetch(`${sc.url}/products/1`)).text()
  const after = await metrics()
  t.equal(sample(after, 'sipup_http_requests_total', { route: 'products', cache: 'HIT' }), 1)
  t.equal(sample(after, 'sipup_http_requests_total', { route: 'products', cache: 'MISS' }), 1, 'the miss did not move')
  t.equal(origin.requests.length, 1, 'the hit never reached the origin')
  const products = sc.app.sidecarMetrics?.routes.summaries().routes.find(r => r.route === 'products')
  t.equal(products?.hitRatio, 0.5)
  t.equal(products?.originUncacheable, 1, 'the origin\'s no-store was seen')
})

t.test('a 429 adds one to the limited counter', { todo: has('rate-limit') ? false : 'rate-limit plugin not there yet' }, async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({
    upstream: { url: origin.url },
    rateLimit: { enabled: true, store: 'memory', ip: { limit: 2, window: '1m' }, rules: [] }
  })
  t.after(() => sc.close())
  const statuses: number[] = []
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${sc.url}/page`)
    await res.text()
    statuses.push(res.status)
  }
  t.same(statuses, [200, 200, 429])
  const text = await (await fetch(`${sc.url}/_admin/metrics`)).text()
  t.equal(sample(text, 'sipup_http_requests_total', { status_class: '4xx' }), 1)
  t.equal(sample(text, 'sipup_http_requests_total', { status_class: '2xx' }), 2)
  t.equal(sc.app.sidecarMetrics?.routes.summaries().total.limited, 1)
})
