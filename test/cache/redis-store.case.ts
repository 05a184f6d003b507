import t from '../helpers/cases.js'
import { Redis } from 'ioredis'
import { RedisStore } from '../../src/plugins/cache/redis-store.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { makeEntry, storeConformance } from './store-conformance.js'

t.test('redis store', async t => {
  if (!await requireRedis(t)) return
  const client = new Redis(REDIS_URL)
  t.after(() => client.quit())
  const prefixes: string[] = []
  t.after(async () => {
    for (const p of prefixes) {
      const keys = await client.keys(`${p}*`)
      if (keys.length > 0) await client.del(...keys)
    }
  })
  const make = async (): Promise<RedisStore> => {
    const prefix = uniquePrefix(`cache-redis-${prefixes.length}`)
    prefixes.push(prefix)
    return new RedisStore({ client: () => client, key: (...p) => prefix + p.join(':'), maxObjectSize: 64 * 1024 })
  }
  storeConformance(t, make)

  t.test('entries carry a TTL; prune drops expired index members', async t => {
    const store = await make()
    const prefix = prefixes[prefixes.length - 1]
    await store.set(makeEntry('/ttl\thttp://x\t', { expiresAt: Date.now() + 5000 }))
    const keys = await client.keys(`${prefix}cache:e:*`)
    t.equal(keys.length, 1)
    const ttl = await client.pttl(keys[0])
    t.ok(ttl > 0 && ttl <= 5000, `pttl ${ttl}`)
    await client.zadd(`${prefix}cache:expiry`, Date.now() - 1, '/gone\thttp://x\t')
    await client.zadd(`${prefix}cache:index`, 0, '/gone\thttp://x\t')
    await store.prune()
    t.equal(await client.zscore(`${prefix}cache:index`, '/gone\thttp://x\t'), null)
    t.not(await client.zscore(`${prefix}cache:index`, '/ttl\thttp://x\t'), null)
  })

  t.test('a failing Redis degrades to misses and reports each failure', async t => {
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 })
    t.after(() => dead.disconnect())
    const errors: Error[] = []
    const store = new RedisStore({ client: () => dead, key: (...p) => 'x:' + p.join(':'), onError: e => errors.push(e) })
    t.equal(await store.get('/a'), undefined)
    await store.set(makeEntry('/a'))
    t.equal(await store.purge({ kind: 'prefix', prefix: '/' }), 0)
    t.equal(errors.length, 3)
  })
})
