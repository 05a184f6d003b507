// With server.workers > 1 each worker guards a share of upstream.maxConcurrent: the shares add up to the node's
// limit exactly, each at least 1; the queue and the auto bounds are split the same way.
import t from '../helpers/cases.js'
import { loadConfig } from '../../src/sidecar-config.js'
import { checkSplittable, shareOf, workerUpstream } from '../../src/proxy/origin-guard/worker-share.js'
import { workerSlot, workerSlotEnv } from '../../src/cluster/worker-slot.js'

const upstream = (u: Record<string, unknown>) => loadConfig({ env: {}, overrides: { upstream: u } }).config.upstream

t.test('shares add up to the total, the first slots take the remainder', async t => {
  for (const [total, count] of [[20, 2], [5, 2], [7, 3], [3, 3], [100, 7], [0, 4]]) {
    const parts = Array.from({ length: count }, (_, i) => shareOf(total, count, i))
    t.equal(parts.reduce((a, b) => a + b, 0), total, `${total} over ${count}: ${parts.join(' + ')}`)
    t.ok(Math.max(...parts) - Math.min(...parts) <= 1, 'floor/ceil')
  }
  t.same([0, 1].map(i => shareOf(5, 2, i)), [3, 2])
})

t.test('a fixed limit and its queue are split; one process keeps the config as written', async t => {
  const u = upstream({ maxConcurrent: 5, queue: { size: 201 } })
  const parts = [0, 1].map(index => workerUpstream(u, { index, count: 2 }))
  t.same(parts.map(p => p.maxConcurrent), [3, 2])
  t.same(parts.map(p => p.queue.size), [101, 100])
  t.equal(parts[0].queue.timeout, u.queue.timeout, 'the timeout is per request, not split')
  t.same(parts[0].lanes, u.lanes)
  t.equal(workerUpstream(u, null), u)
  t.equal(workerUpstream(u, { index: 0, count: 1 }), u)
  t.equal(workerUpstream(upstream({ maxConcurrent: 0 }), { index: 1, count: 2 }).maxConcurrent, 0, 'no limit stays no limit')
})

t.test('auto: min, max and initial split, each worker at least 1 and initial within its bounds', async t => {
  const u = upstream({ maxConcurrent: 'auto', autoLimit: { min: 3, max: 41, initial: 20 } })
  const parts = [0, 1, 2, 3].map(index => workerUpstream(u, { index, count: 4 }).autoLimit)
  t.same(parts.map(p => p.max), [11, 10, 10, 10])
  t.equal(parts.reduce((a, p) => a + p.max, 0), 41)
  t.same(parts.map(p => p.min), [1, 1, 1, 1], 'min 3 over 4 workers: a floor of 1 each')
  t.same(parts.map(p => p.initial), [5, 5, 5, 5])
  t.equal(workerUpstream(u, { index: 0, count: 4 }).maxConcurrent, 'auto')
})

t.test('a limit below the worker count is a coded config error naming the key', async t => {
  t.throws(() => checkSplittable(upstream({ maxConcurrent: 1 }), 2), { code: 'SIPUP_ERR_UPSTREAM_GUARD_CONFIG', message: /upstream\.maxConcurrent: expected 0 or at least server\.workers \(2\).*got '1'/ })
  t.throws(() => checkSplittable(upstream({ maxConcurrent: 'auto', autoLimit: { min: 1, max: 2, initial: 2 } }), 3), { code: 'SIPUP_ERR_UPSTREAM_GUARD_CONFIG', message: /upstream\.autoLimit\.max/ })
  t.doesNotThrow(() => checkSplittable(upstream({ maxConcurrent: 2 }), 2))
  t.doesNotThrow(() => checkSplittable(upstream({ maxConcurrent: 0 }), 8))
  t.doesNotThrow(() => checkSplittable(upstream({ maxConcurrent: 1 }), 1))
})

t.test('the slot comes from the environment the primary sets, only in a cluster worker', async t => {
  t.same(workerSlot(workerSlotEnv(1, 2), true), { index: 1, count: 2 })
  t.equal(workerSlot(workerSlotEnv(1, 2), false), null, 'not a worker')
  t.equal(workerSlot({}, true), null, 'a worker forked without a slot')
  t.equal(workerSlot(workerSlotEnv(2, 2), true), null, 'index out of range')
})
