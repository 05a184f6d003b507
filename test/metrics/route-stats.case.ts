// Per-route figures of the last one to two minutes: generations rotate with the clock, idle routes drop out.
import t from '../helpers/cases.js'
import { RouteStats } from '../../src/plugins/metrics/route-stats.js'

t.test('summaries per route and in total', async t => {
  let now = 0
  const s = new RouteStats({ windowMs: 60_000, now: () => now })
  for (let i = 0; i < 10; i++) s.record(now, 'products', 100, 200, i < 2 ? 'HIT' : 'MISS', i < 2 ? -1 : 90, false)
  s.record(now, 'search', 2500, 502, null, 2400, true)
  s.recordOrigin('products', true)
  s.recordOrigin('products', false)
  now = 10_000
  const { routes, total, seconds } = s.summaries()
  t.equal(seconds, 10)
  const products = routes.find(r => r.route === 'products')
  t.ok(products)
  t.equal(products?.requests, 10)
  t.equal(products?.rps, 1)
  t.equal(products?.hitRatio, 0.2)
  t.equal(products?.upstream, 8)
  t.equal(products?.originUncacheable, 1)
  t.equal(products?.originResponses, 2)
  const search = routes.find(r => r.route === 'search')
  t.equal(search?.errors, 1)
  t.equal(search?.upstreamErrors, 1)
  t.equal(search?.hitRatio, null)
  t.ok((search?.p95 ?? 0) >= 2500 && (search?.p95 ?? 0) < 2500 * 1.31, `p95 within one bucket: ${search?.p95}`)
  t.equal(total.requests, 11)
})

t.test('data older than two windows is gone, idle routes are dropped', async t => {
  let now = 0
  const s = new RouteStats({ windowMs: 60_000, now: () => now })
  s.record(now, 'a', 10, 200, null, 5, false)
  now = 61_000
  s.record(now, 'b', 10, 200, null, 5, false)
  t.same(s.summaries().routes.map(r => r.route).sort(), ['a', 'b'], 'previous window still counted')
  now = 122_000
  t.same(s.summaries().routes.map(r => r.route), ['b'], 'a was idle for two windows')
  now = 500_000
  t.same(s.summaries().routes, [])
  t.equal(s.summaries().total.requests, 0)
})
