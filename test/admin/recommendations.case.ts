// Each recommendation rule fires on the numbers that should trigger it, and stays quiet otherwise.
import t from '../helpers/cases.js'
import type { RouteSummary } from '../../src/plugins/metrics/route-stats.js'
import { MAX_RECOMMENDATIONS, formatMs, recommend, type RecommendationInput } from '../../src/admin/dashboard/recommendations.js'

function route (over: Partial<RouteSummary>): RouteSummary {
  return {
    route: 'proxy', requests: 100, rps: 1, p50: 20, p95: 40, errors: 0, lookups: 0, hitRatio: null, upstream: 100,
    upstreamP95: 30, upstreamErrors: 0, originUncacheable: 0, originResponses: 0, limited: 0, ...over
  }
}

function input (over: Partial<RecommendationInput>): RecommendationInput {
  const routes = over.routes ?? []
  return {
    routes,
    total: over.total ?? route({ route: '*', requests: 0, upstream: 0 }),
    health: { upstream: { ok: true } },
    features: [],
    cache: true,
    db: false,
    ...over
  }
}

t.test('quiet when all is well', async t => {
  t.same(recommend(input({ routes: [route({ lookups: 100, hitRatio: 0.9 })], total: route({ route: '*', lookups: 100, hitRatio: 0.9 }) })), [])
})

t.test('low hit ratio where the origin sends no-store → add a rule with override', async t => {
  const r = recommend(input({ routes: [route({ route: 'products', lookups: 100, hitRatio: 0.08, originResponses: 90, originUncacheable: 90 })] }))
  t.equal(r.length, 1)
  t.equal(r[0].severity, 'warning')
  t.match(r[0].title, 'Hit ratio 8% on products: the origin sends no-store')
  t.match(r[0].action, 'override: true')
  t.equal(r[0].route, 'products')
})

t.test('low hit ratio with cacheable origin headers → check ttl/vary, not override', async t => {
  const r = recommend(input({ routes: [route({ route: 'catalog', lookups: 100, hitRatio: 0.1, originResponses: 90, originUncacheable: 5 })] }))
  t.equal(r.length, 1)
  t.equal(r[0].severity, 'info')
  t.notMatch(r[0].action, 'override')
})

t.test('too few requests say nothing', async t => {
  t.same(recommend(input({ routes: [route({ requests: 5, lookups: 5, hitRatio: 0, upstream: 5, upstreamP95: 9000 })] })), [])
})

t.test('slow upstream points at DB suggestions when the DB advisor is on', async t => {
  const slow = route({ route: 'search', upstreamP95: 2400 })
  const withDb = recommend(input({ routes: [slow], db: true }))
  t.match(withDb[0].title, 'Upstream p95 2.4 s on search')
  t.match(withDb[0].action, 'See the DB suggestions')
  const withoutDb = recommend(input({ routes: [slow], db: false }))
  t.match(withoutDb[0].action, 'Set mysql.url')
})

t.test('Redis unreachable → rate limits are per instance', async t => {
  const r = recommend(input({ health: { upstream: { ok: true }, redis: { ok: false, reason: 'ECONNREFUSED' } } }))
  t.equal(r.length, 1)
  t.match(r[0].title, 'Redis unreachable: ECONNREFUSED')
  t.match(r[0].action, 'Rate limits are per instance')
  const degraded = recommend(input({ features: [{ name: 'redis', state: 'degraded', detail: 'down' }] }))
  t.match(degraded[0].title, 'Redis unreachable')
})

t.test('origin down and origin errors are critical and come first', async t => {
  const r = recommend(input({
    health: { upstream: { ok: false, reason: 'connect ECONNREFUSED' }, redis: { ok: false } },
    total: route({ route: '*', upstream: 100, upstreamErrors: 20 })
  }))
  t.same(r.map(x => x.severity), ['critical', 'critical', 'warning'])
  t.match(r[0].title, 'Origin not answering')
  t.match(r[1].title, '20 origin errors (20% of origin requests)')
})

t.test('many 429s and a cache that is off', async t => {
  const r = recommend(input({ cache: false, total: route({ route: '*', requests: 100, limited: 10, upstream: 90, originResponses: 90, rps: 3 }) }))
  t.match(r.map(x => x.title), [/10% of requests were rate limited/, /Cache off/])
})

t.test('at most MAX_RECOMMENDATIONS', async t => {
  const routes = Array.from({ length: 20 }, (_, i) => route({ route: `r${i}`, upstreamP95: 5000 }))
  t.equal(recommend(input({ routes })).length, MAX_RECOMMENDATIONS)
})

t.test('formatMs', async t => {
  t.equal(formatMs(2400), '2.4 s')
  t.equal(formatMs(350.4), '350 ms')
})

t.test('a bypass or per-user rule is never proposed for override or sharing, whatever its hit ratio', async t => {
  const low = { lookups: 100, hitRatio: 0, originResponses: 90, originUncacheable: 90 }
  const ruleKinds = new Map([['login', 'bypass'], ['dashboard', 'per-user'], ['catalog-groups', 'context'], ['products', 'shared']] as const)
  const r = recommend(input({
    ruleKinds,
    routes: [route({ route: 'login', ...low }), route({ route: 'dashboard', ...low }), route({ route: 'catalog-groups', ...low }), route({ route: 'products', ...low })]
  }))
  t.equal(r.find(x => x.route === 'login'), undefined, 'nothing about a bypass rule\'s hit ratio')
  for (const name of ['dashboard', 'catalog-groups']) {
    const rec = r.find(x => x.route === name)
    t.ok(rec, `${name}: still worth a look`)
    t.notMatch(rec?.action ?? '', /override|anonymousOnly|shared/, `${name}: no sharing proposed`)
  }
  t.match(r.find(x => x.route === 'products')?.action, 'override: true', 'a shared rule may still get it')
})

t.test('rule kinds come from the cache rules in the config, named as the cache names them', async t => {
  const { cacheRuleKinds } = await import('../../src/admin/dashboard/overview.js')
  const kinds = cacheRuleKinds({ cache: { rules: [{ name: 'login', bypass: true }, { name: '', scope: 'per-user' }, { name: 'p' }] } })
  t.same([...kinds], [['login', 'bypass'], ['rule2', 'per-user'], ['p', 'shared']])
  t.same([...cacheRuleKinds({})], [])
})
