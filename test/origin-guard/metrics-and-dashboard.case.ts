// What origin protection shows: Prometheus metrics (at the origin, limit, queue depth and wait per lane, shed by
// reason, stale because of overload) and the dashboard's recommendation once shedding starts.
import t from '../helpers/cases.js'
import type { RouteSummary } from '../../src/plugins/metrics/route-stats.js'
import { originRecommendations, recommend } from '../../src/admin/dashboard/recommendations.js'
import { client, countingOrigin, get, guardedSidecar, until } from './helpers.js'

function route (over: Partial<RouteSummary>): RouteSummary {
  return {
    route: 'proxy', requests: 100, rps: 1, p50: 20, p95: 40, errors: 0, lookups: 0, hitRatio: null, upstream: 100,
    upstreamP95: 30, upstreamErrors: 0, originUncacheable: 0, originResponses: 0, limited: 0, ...over
  }
}

const calm = { limit: 20, inflight: 20, queued: 150, shedQueueFull: 0, shedQueueTimeout: 0 }

t.test('recommendation: quiet while nothing is shed, critical with the top origin routes once it is', async t => {
  t.same(originRecommendations(calm, []), [], 'queueing alone is the guard doing its job')
  t.same(originRecommendations(null, []), [])
  const routes = [route({ route: 'cart', upstream: 40 }), route({ route: 'search', upstream: 300 }), route({ route: 'static', upstream: 0 })]
  const [r] = originRecommendations({ ...calm, shedQueueFull: 12, shedQueueTimeout: 3 }, routes)
  t.equal(r.severity, 'critical')
  t.equal(r.title, 'The origin is at its limit of 20: 15 requests shed in the last minute (12 queue full, 3 waited too long)')
  t.match(r.action, 'See which routes miss the cache: search (300 origin requests), cart (40 origin requests)')
  t.notMatch(r.action, 'static')
  const all = recommend({
    routes, total: route({ route: '*' }), health: { upstream: { ok: true } }, features: [], cache: true, db: false,
    origin: { ...calm, shedQueueFull: 1 }
  })
  t.match(all[0].title, 'at its limit of 20')
})

t.test('metrics and the overview name the shedding', async t => {
  const o = await countingOrigin(t, 0)
  const sc = await guardedSidecar(t, o.origin, { maxConcurrent: 1, queue: { size: 1, timeout: '10s' } }, { admin: { enabled: true } })
  const agent = client(t)
  const held = get(agent, `${sc.url}/held`)
  await until('held', () => o.active === 1)
  const waiting = get(agent, `${sc.url}/waits`)
  await until('queued', async () => (await sc.app.sidecar.metrics.getSingleMetric('sipup_origin_queue_depth')?.get())?.values.some(v => v.value === 1) === true)
  t.equal((await get(agent, `${sc.url}/shed`)).status, 503)

  const text = await sc.app.sidecar.metrics.metrics()
  t.match(text, /sipup_origin_inflight 1\b/)
  t.match(text, /sipup_origin_concurrency_limit 1\b/)
  t.match(text, /sipup_origin_queue_depth\{lane="normal"\} 1\b/)
  t.match(text, /sipup_origin_shed_total\{reason="queue-full",lane="normal"\} 1\b/)

  const overview = JSON.parse((await get(agent, `${sc.url}/_admin/api/overview`)).body) as {
    origin: { limit: number, shedQueueFull: number }, recommendations: { title: string }[]
  }
  t.equal(overview.origin.limit, 1)
  t.equal(overview.origin.shedQueueFull, 1)
  t.match(overview.recommendations[0].title, 'The origin is at its limit of 1: 1 requests shed in the last minute')

  o.releaseAll()
  await held
  await waiting
  const after = await sc.app.sidecar.metrics.metrics()
  t.match(after, /sipup_origin_queue_wait_seconds_count\{lane="normal"\} 1\b/)
  t.match(after, /sipup_origin_inflight 0\b/)
})
