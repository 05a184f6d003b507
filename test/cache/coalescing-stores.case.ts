// Coalescing holds whatever the store: 1,000 concurrent cold misses make exactly one origin request with the
// memory store, Redis alone, and memory in front of Redis (where a lookup waits for Redis before it can join).
import t from '../helpers/cases.js'
import { Redis } from 'ioredis'
import { Agent } from 'undici'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { Coalescer } from '../../src/plugins/cache/coalescer.js'
import { fetchAnswer } from './fixtures/setup.js'
import { makeEntry } from './store-conformance.js'

const CLIENTS = 1000
const ROUNDS = 2

for (const store of ['memory', 'redis', 'tiered'] as const) {
  t.test(`${store}: ${CLIENTS} concurrent cold misses → exactly 1 origin request`, async t => {
    const redis: Record<string, unknown> = { enabled: false }
    if (store !== 'memory') {
      if (!await requireRedis(t)) return
      const keyPrefix = uniquePrefix(`cache-coalesce-${store}`)
      Object.assign(redis, { enabled: true, url: REDIS_URL, keyPrefix })
      const cleaner = new Redis(REDIS_URL)
      t.after(async () => {
        const keys = await cleaner.keys(`${keyPrefix}*`)
        if (keys.length > 0) await cleaner.del(...keys)
        await cleaner.quit()
      })
    }
    const hits = new Map<string, number>()
    // The origin answers at once: the leader's entry is stored while the other lookups may still wait for Redis.
    const origin = await startOrigin((req, res) => {
      hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1)
      res.setHeader('cache-control', 'max-age=60')
      res.setHeader('content-type', 'text/html')
      res.end(`<p>${req.url ?? ''}</p>`.repeat(100))
    })
    t.after(() => origin.close())
    const sidecar = await startSidecar({ upstream: { url: origin.url }, redis, cache: { enabled: true, store }, admin: { enabled: false } })
    t.after(() => sidecar.close())
    t.equal(sidecar.app.sidecarCache?.store.name, store)
    const agent = new Agent({ connections: CLIENTS })
    t.after(() => agent.close())
    for (let round = 0; round < ROUNDS; round++) {
      const path = `/cold-${round}`
      const results = await Promise.all(Array.from({ length: CLIENTS }, () => fetchAnswer(sidecar.url + path, {}, 'GET', agent)))
      t.ok(results.every(r => r.status === 200 && r.body.startsWith(`<p>${path}</p>`)), `${path}: every client got the page`)
      t.equal(hits.get(path), 1, `${path}: one origin request`)
    }
  })
}

t.test('Coalescer: a lookup that began before a flight settled takes its entry instead of leading again', async t => {
  let now = 1_000
  const co = new Coalescer({ maxWait: 10_000, hitForMiss: 0, now: () => now })
  t.after(() => co.close())
  const entry = makeEntry('/k', { freshUntil: 61_000 })
  const slow = co.mark() // this lookup waits for Redis ...
  t.equal(co.join('/k', co.mark()), null, 'the first miss leads')
  co.settle('/k', entry, false) // ... while the leader's whole flight runs
  t.equal(await co.join('/k', slow), entry, 'the slow lookup gets the entry')
  const late = co.mark()
  t.equal(await co.join('/k', late, true), entry, 'a later failed lookup gets it while it is fresh')
  t.equal(co.join('/k', late, false), null, 'not when the request asked for more (no-cache, max-age)')
  co.settle('/k', null, false)
  const again = co.mark()
  t.equal(co.join('/x', again), null)
  co.settle('/x', makeEntry('/x'), false)
  co.forgetRecent()
  t.equal(co.join('/x', again), null, 'a purge forgets settled entries')
  co.settle('/x', null, false)
  co.settle('/k', null, false)
  const before = co.mark()
  co.settle('/y', makeEntry('/y', { freshUntil: now + 600_000 }), false)
  now += 20_000
  t.equal(co.join('/y', before, true), null, 'kept no longer than maxWait')
  co.settle('/y', null, false)
})
