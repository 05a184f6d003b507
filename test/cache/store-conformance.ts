// The behaviour every CacheStore must have, run against memory, redis and tiered (like undici's cacheStoreTests).
import type { Test } from 'tap'
import type { CacheEntry, CacheStore } from '../../src/plugins/cache/types.js'

export function makeEntry (key: string, o: Partial<CacheEntry> = {}): CacheEntry {
  const now = Date.now()
  return {
    key,
    status: 200,
    headers: { 'content-type': 'text/html', 'x-multi': ['a', 'b'] },
    body: Buffer.from(`body of ${key}`),
    br: null,
    gzip: null,
    responseTime: now,
    initialAge: 0,
    freshUntil: now + 60_000,
    swrUntil: 0,
    sieUntil: 0,
    expiresAt: now + 60_000,
    authOk: false,
    tags: [],
    vary: null,
    rule: 'default',
    ...o
  }
}

/** `make` returns a fresh, empty store (and its cleanup is the caller's). */
export function storeConformance (t: Test, make: () => Promise<CacheStore>): void {
  t.test('get of an unknown key is undefined', async t => {
    const store = await make()
    t.equal(await store.get('/nothing\thttp://x\t'), undefined)
  })

  t.test('set then get returns the entry, binary bodies intact', async t => {
    const store = await make()
    const binary = Buffer.from([0, 255, 1, 254, 10, 13, 0])
    const e = makeEntry('/a\thttp://x\t', { body: binary, br: Buffer.from([1, 2, 3]), gzip: Buffer.alloc(0), tags: ['t1'] })
    await store.set(e)
    const got = await store.get(e.key)
    t.ok(got)
    t.same(got?.body, binary)
    t.same(got?.br, Buffer.from([1, 2, 3]))
    t.same(got?.gzip, Buffer.alloc(0))
    t.same(got?.headers, e.headers)
    t.equal(got?.freshUntil, e.freshUntil)
    t.same(got?.tags, ['t1'])
  })

  t.test('a set replaces the previous entry of the key', async t => {
    const store = await make()
    await store.set(makeEntry('/r\thttp://x\t', { body: Buffer.from('one') }))
    await store.set(makeEntry('/r\thttp://x\t', { body: Buffer.from('two') }))
    t.equal((await store.get('/r\thttp://x\t'))?.body.toString(), 'two')
  })

  t.test('expired entries are not returned', async t => {
    const store = await make()
    await store.set(makeEntry('/old\thttp://x\t', { expiresAt: Date.now() - 1 }))
    t.equal(await store.get('/old\thttp://x\t'), undefined)
  })

  t.test('purge by prefix removes every key that starts with it and nothing else', async t => {
    const store = await make()
    const keys = ['/p?id=1\thttp://x\t', '/p?id=1\thttp://x\tu:abc;', '/p?id=10\thttp://x\t', '/q\thttp://x\t']
    for (const k of keys) await store.set(makeEntry(k))
    const n = await store.purge({ kind: 'prefix', prefix: '/p?id=1\t' })
    t.equal(n, 2)
    t.equal(await store.get(keys[0]), undefined)
    t.equal(await store.get(keys[1]), undefined)
    t.ok(await store.get(keys[2]))
    t.ok(await store.get(keys[3]))
  })

  t.test('purge by tag removes entries carrying any of the tags', async t => {
    const store = await make()
    await store.set(makeEntry('/a\thttp://x\t', { tags: ['product-1', 'category-7'] }))
    await store.set(makeEntry('/b\thttp://x\t', { tags: ['product-2', 'category-7'] }))
    await store.set(makeEntry('/c\thttp://x\t', { tags: ['product-3'] }))
    t.equal(await store.purge({ kind: 'tags', tags: ['category-7'] }), 2)
    t.equal(await store.get('/a\thttp://x\t'), undefined)
    t.equal(await store.get('/b\thttp://x\t'), undefined)
    t.ok(await store.get('/c\thttp://x\t'))
    t.equal(await store.purge({ kind: 'tags', tags: ['nope'] }), 0)
  })

  t.test('purge by regex matches the path and query of each key (every host and scope), and a refused pattern purges nothing', async t => {
    const store = await make()
    const keys = ['/p?id=40\thttp://x\t', '/p?id=41\thttps://y\tu:abc;', '/p?id=140\thttp://x\t', '/q?id=40\thttp://x\t']
    for (const k of keys) await store.set(makeEntry(k))
    t.equal(await store.purge({ kind: 'regex', source: '(?=p)' }), 0, 'never rejects, purges nothing')
    t.equal(await store.purge({ kind: 'regex', source: '^/p\\?id=4\\d$' }), 2)
    t.equal(await store.get(keys[0]), undefined)
    t.equal(await store.get(keys[1]), undefined)
    t.ok(await store.get(keys[2]))
    t.ok(await store.get(keys[3]))
    t.equal(await store.purge({ kind: 'regex', source: 'http' }), 0, 'the host part is not matched')
  })

  t.test('bodies over maxObjectSize are declined', async t => {
    const store = await make() as CacheStore & { maxObjectSize: number }
    await store.set(makeEntry('/big\thttp://x\t', { body: Buffer.alloc(store.maxObjectSize + 1) }))
    t.equal(await store.get('/big\thttp://x\t'), undefined)
  })
}
