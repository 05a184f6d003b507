import t from '../helpers/cases.js'
import { MemoryStore } from '../../src/plugins/cache/memory-store.js'
import { makeEntry, storeConformance } from './store-conformance.js'

storeConformance(t, async () => new MemoryStore({ maxBytes: 1024 * 1024, maxObjectSize: 64 * 1024 }))

t.test('LRU eviction keeps the bytes under maxBytes and drops the least recently used first', async t => {
  const store = new MemoryStore({ maxBytes: 40 * 1024, maxObjectSize: 16 * 1024 })
  const evicted: string[] = []
  store.on('evict', (e, reason) => { if (reason === 'lru') evicted.push(e.key) })
  for (let i = 0; i < 3; i++) store.set(makeEntry(`/k${i}`, { body: Buffer.alloc(10 * 1024) }))
  store.get('/k0')
  store.set(makeEntry('/k3', { body: Buffer.alloc(10 * 1024) }))
  store.set(makeEntry('/k4', { body: Buffer.alloc(10 * 1024) }))
  t.ok(store.size.bytes <= 40 * 1024)
  t.same(evicted, ['/k1', '/k2'])
  t.ok(store.get('/k0'), 'recently used entry survives')
})

t.test('purged entries leave the tag index', async t => {
  const store = new MemoryStore()
  store.set(makeEntry('/a', { tags: ['x'] }))
  store.purge({ kind: 'prefix', prefix: '/a' })
  t.equal(store.purge({ kind: 'tags', tags: ['x'] }), 0)
  t.equal(store.size.entries, 0)
  t.equal(store.size.bytes, 0)
})

t.test('options are checked in the constructor', async t => {
  t.throws(() => new MemoryStore({ maxBytes: -1 }), { message: /expected opts\.maxBytes to be a positive integer, got -1/ })
})
