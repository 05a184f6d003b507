// With several workers, what stays per worker is said at start-up: memory caches and memory limits.
import t from '../helpers/cases.js'
import { loadConfig } from '../../src/sidecar-config.js'
import { perWorkerWarnings, splitLimitLines } from '../../src/cluster/start-workers.js'

const config = (overrides: Record<string, unknown>) => loadConfig({ env: {}, overrides: { server: { workers: 2 }, ...overrides } }).config

t.test('memory stores are named; shared stores on Redis are not', async t => {
  const memory = perWorkerWarnings(config({ redis: { enabled: true }, cache: { enabled: true, store: 'memory' }, rateLimit: { enabled: true, store: 'memory' } }))
  t.equal(memory.length, 2)
  t.match(memory[0], /^cache: each worker caches alone/)
  t.match(memory[1], /^rateLimit: each worker counts alone/)
  t.same(perWorkerWarnings(config({ redis: { enabled: true }, cache: { enabled: true, store: 'tiered' }, rateLimit: { enabled: true, store: 'redis' } })), [])
  t.equal(perWorkerWarnings(config({ redis: { enabled: false }, cache: { enabled: true, store: 'tiered' }, rateLimit: { enabled: false } })).length, 1, 'tiered without Redis is memory only')
})

t.test('workers: auto and a bad value', async t => {
  t.equal(config({ server: { workers: 'auto' } }).server.workers, 'auto')
  t.throws(() => loadConfig({ env: {}, overrides: { server: { workers: 0 } } }), /server\.workers/)
})

t.test('the origin limit split is said at start-up', async t => {
  t.same(splitLimitLines(config({ upstream: { maxConcurrent: 5, queue: { size: 200 } } }), 2),
    ["upstream.maxConcurrent is the node's: each worker guards its share (5 = 3 + 2; queue 200 = 100 + 100)"])
  t.match(splitLimitLines(config({ upstream: { maxConcurrent: 'auto' } }), 2)[0], /autoLimit\.max 128 = 64 \+ 64/)
  t.same(splitLimitLines(config({ upstream: { maxConcurrent: 0 } }), 2), [], 'no limit, nothing to split')
  t.same(splitLimitLines(config({ upstream: { maxConcurrent: 5 } }), 1), [])
})
