import t from '../helpers/cases.js'
import { cacheDetail, cacheOutcome, errorKind } from '../../src/loadtest/outcome.js'
import { runBench } from '../../src/loadtest/run.js'
import { benchOptions, delayServer } from './helpers.js'

t.test('X-Cache and Cache-Status (RFC 9211, last member) map to one outcome', async t => {
  t.equal(cacheOutcome({ 'x-cache': 'HIT' }), 'hit')
  t.equal(cacheOutcome({ 'x-cache': 'MISS' }), 'miss')
  t.equal(cacheOutcome({ 'x-cache': 'STALE' }), 'stale')
  t.equal(cacheOutcome({ 'x-cache': 'BYPASS' }), 'bypass')
  t.equal(cacheOutcome({ 'cache-status': 'origin; fwd=miss, sipup; hit' }), 'hit')
  t.equal(cacheOutcome({ 'cache-status': 'sipup; fwd=uri-miss; stored' }), 'miss')
  t.equal(cacheOutcome({ 'cache-status': 'sipup; fwd=bypass' }), 'bypass')
  t.equal(cacheOutcome({ 'cache-status': 'sipup; hit', 'x-cache': 'MISS' }), 'hit', 'Cache-Status wins')
  t.equal(cacheOutcome({}), 'none')
})

t.test('transport errors are classified by their code, through undici\'s cause chain', async t => {
  t.equal(errorKind(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' })), 'timeout')
  t.equal(errorKind(Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET', cause: { code: 'ECONNRESET' } })), 'reset')
  t.equal(errorKind(Object.assign(new Error('x'), { cause: { code: 'ECONNREFUSED' } })), 'refused')
  t.equal(errorKind(Object.assign(new Error('x'), { code: 'EMFILE' })), 'fd-limit')
  t.equal(errorKind(new Error('x')), 'other')
})

t.test('the report splits figures by cache outcome and gives the hit ratio', async t => {
  const server = await delayServer(() => 0)
  t.after(() => server.close())
  const hits = await delayServer(() => 0, { 'x-cache': 'HIT' })
  t.after(() => hits.close())
  const report = await runBench(benchOptions(hits.url, { durationMs: 300 }))
  const r = report.targets[0].result
  t.equal(r.hitRatio, 1)
  t.equal(r.cache.hit?.count, r.requests)
  const plain = (await runBench(benchOptions(server.url, { durationMs: 300 }))).targets[0].result
  t.equal(plain.hitRatio, 0)
  t.equal(plain.cache.none?.count, plain.requests)
})

t.test('cacheDetail: the nearest cache\'s Cache-Status parameters, for counting answers by why', async t => {
  t.equal(cacheDetail({ 'cache-status': 'sipup; fwd=bypass; detail=context-unavailable' }), 'fwd=bypass; detail=context-unavailable')
  t.equal(cacheDetail({ 'cache-status': 'origin; fwd=miss, sipup; hit; collapsed' }), 'hit; collapsed')
  t.equal(cacheDetail({ 'cache-status': ['a; hit', 'sipup;  fwd=miss;Stored'] }), 'fwd=miss; stored')
  t.equal(cacheDetail({ 'x-cache': 'HIT' }), 'hit')
  t.equal(cacheDetail({}), '')
})

t.test('the report counts answers per request name by status and cache detail', async t => {
  const hits = await delayServer(() => 0, { 'cache-status': 'sipup; fwd=bypass; detail=rule' })
  t.after(() => hits.close())
  const r = (await runBench(benchOptions(hits.url, { durationMs: 300 }))).targets[0].result
  const all = Object.values(r.details ?? {}).flatMap(d => Object.entries(d))
  t.ok(all.length > 0)
  t.same(new Set(all.map(([k]) => k)), new Set(['200 fwd=bypass; detail=rule']))
  t.equal(all.reduce((n, [, c]) => n + c, 0), Object.values(r.statuses).reduce((n, c) => n + c, 0), 'every answer counted once')
})
