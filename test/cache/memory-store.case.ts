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

t.test('a hit on the newest entry keeps the LRU order exact (it is not re-inserted, and others still are)', async t => {
  const store = new MemoryStore({ maxBytes: 40 * 1024, maxObjectSize: 16 * 1024 })
  const evicted: string[] = []
  store.on('evict', (e, reason) => { if (reason === 'lru') evicted.push(e.key) })
  const put = (key: string): void => store.set(makeEntry(key, { body: Buffer.alloc(10 * 1024) }))
  put('/a')
  put('/b')
  put('/c')
  t.ok(store.get('/c'), 'the newest entry is found')
  t.ok(store.get('/a'), 'an older one is found and becomes the newest')
  t.ok(store.get('/a'))
  put('/d')
  t.same(evicted, ['/b'], 'b was used longest ago')
  // The newest entry replaced, then purged: the next hit on an older entry must move it up again.
  put('/d')
  store.purge({ kind: 'prefix', prefix: '/d' })
  t.ok(store.get('/c'))
  put('/e')
  put('/f')
  t.same(evicted, ['/b', '/a'], 'a, not c, was the least recently used')
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
