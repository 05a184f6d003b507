import t from '../helpers/cases.js'
import { Redis } from 'ioredis'
import { MemoryStore } from '../../src/plugins/cache/memory-store.js'
import { RedisStore } from '../../src/plugins/cache/redis-store.js'
import { TieredStore } from '../../src/plugins/cache/tiered-store.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { makeEntry, storeConformance } from './store-conformance.js'

t.test('tiered store', async t => {
  if (!await requireRedis(t)) return
  const client = new Redis(REDIS_URL)
  t.after(() => client.quit())
  const prefix = uniquePrefix('cache-tiered')
  t.after(async () => {
    const keys = await client.keys(`${prefix}*`)
    if (keys.length > 0) await client.del(...keys)
  })
  let n = 0
  const subs: Redis[] = []
  t.after(() => { for (const s of subs) s.disconnect() })
  const make = async (ns = `s${n++}`): Promise<TieredStore> => {
    const sub = new Redis(REDIS_URL)
    subs.push(sub)
    const key = (...p: string[]): string => `${prefix}${ns}:${p.join(':')}`
    const store = new TieredStore({
      l1: new MemoryStore({ maxObjectSize: 64 * 1024 }),
      l2: new RedisStore({ client: () => client, key, maxObjectSize: 64 * 1024 }),
      l2Ready: () => true,
      publisher: () => client,
      subscriber: sub,
      channel: key('purge')
    })
    await store.ready()
    return store
  }
  storeConformance(t, () => make())

  t.test('an L1 miss is filled from L2', async t => {
    const a = await make('shared1')
    const b = await make('shared1')
    await a.set(makeEntry('/x\thttp://h\t'))
    t.equal(b.size.entries, 0)
    t.ok(await b.get('/x\thttp://h\t'))
    t.equal(b.size.entries, 1)
  })

  t.test('a purge on one instance drops the L1 copies of the others', async t => {
    const a = await make('shared2')
    const b = await make('shared2')
    await a.set(makeEntry('/p\thttp://h\t', { tags: ['tag-1'] }))
    await a.set(makeEntry('/q\thttp://h\t'))
    await b.get('/p\thttp://h\t')
    await b.get('/q\thttp://h\t')
    t.equal(b.size.entries, 2)
    const dropped = new Promise<void>(resolve => b.once('evict', () => resolve()))
    await a.purge({ kind: 'tags', tags: ['tag-1'] })
    await dropped
    t.equal(b.size.entries, 1)
    t.equal(await b.get('/p\thttp://h\t'), undefined)
  })

  t.test('without L2 it serves from L1 alone', async t => {
    const store = new TieredStore({
      l1: new MemoryStore(),
      l2: new RedisStore({ client: () => null, key: (...p) => p.join(':') }),
      l2Ready: () => false,
      publisher: () => null,
      subscriber: null,
      channel: 'x'
    })
    await store.set(makeEntry('/a'))
    t.ok(store.get('/a'))
    t.equal(await store.purge({ kind: 'prefix', prefix: '/a' }), 1)
  })
})
