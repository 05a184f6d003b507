// Two sidecars sharing Redis (tiered store): after a purge on A answers, B stops serving its memory copy, every
// round, through the purge message and not through expiry (the page's max-age is 600 s). Measured from the purge's
// answer to B's first response that is no longer from its memory cache, polling B every 5 ms, over several rounds
// while both instances serve a steady background load.
// The 100 ms target of issue 16 is a speed goal: bench/purge.ts measures it on a quiet machine. Here the bound is
// one a loaded CI machine meets too (a test process can wait 100+ ms for a core when ~190 files share two).
import t from 'tap'
import { Redis } from 'ioredis'
import { request, Agent } from 'undici'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'

const BOUND_MS = 2000
const ROUNDS = 10

t.test(`a purge on A reaches B's memory cache (within ${BOUND_MS} ms, far inside the page's 600 s max-age)`, async t => {
  if (!await requireRedis(t)) return
  const keyPrefix = uniquePrefix('cache-purge-100ms')
  const cleaner = new Redis(REDIS_URL)
  t.after(async () => {
    const keys = await cleaner.keys(`${keyPrefix}*`)
    if (keys.length > 0) await cleaner.del(...keys)
    await cleaner.quit()
  })
  const origin = await startOrigin((req, res) => {
    res.setHeader('cache-control', 'max-age=600')
    res.end(`page ${req.url}`)
  })
  t.after(() => origin.close())
  const config = {
    upstream: { url: origin.url },
    redis: { enabled: true, url: REDIS_URL, keyPrefix },
    cache: { enabled: true, store: 'tiered' },
    admin: { enabled: true, token: 'secret' }
  }
  const a = await startSidecar(config)
  t.after(() => a.close())
  const b = await startSidecar(config)
  t.after(() => b.close())
  await Promise.all([a, b].map(s => (s.app.sidecarCache?.store as { ready?: () => Promise<void> }).ready?.()))
  const agent = new Agent({ connections: 16 })
  t.after(() => agent.close())
  const get = async (base: string, path: string, onlyCached = false): Promise<number> => {
    const res = await request(base + path, {
      dispatcher: agent, headers: onlyCached ? { host: 'shop.test', 'cache-control': 'only-if-cached' } : { host: 'shop.test' }
    })
    await res.body.dump()
    return res.statusCode
  }

  // Background load on both instances (cache hits on other pages) for the whole test.
  let loading = true
  const load = Promise.all(Array.from({ length: 4 }, async (_, w) => {
    while (loading) await get(w % 2 === 0 ? a.url : b.url, `/load/${w}`)
  }))
  t.after(async () => { loading = false; await load })

  const worst: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const path = `/page.php?round=${round}`
    await get(a.url, path)
    await get(b.url, path)
    t.equal(await get(b.url, path, true), 200, `round ${round}: B holds the page`)
    const res = await request(a.url + '/_admin/api/cache/purge', {
      dispatcher: agent,
      method: 'POST',
      headers: { authorization: 'Bearer secret', 'content-type': 'application/json' },
      body: JSON.stringify({ urls: [`http://shop.test${path}`] })
    })
    await res.body.dump()
    t.equal(res.statusCode, 200)
    const answered = performance.now()
    let took = Infinity
    while (performance.now() - answered < BOUND_MS + 1000) {
      if (await get(b.url, path, true) !== 200) { took = performance.now() - answered; break }
      await new Promise(resolve => setTimeout(resolve, 5))
    }
    worst.push(took)
  }
  loading = false
  await load
  t.comment(`purge → B miss, ms per round: ${worst.map(w => w.toFixed(1)).join(' ')}`)
  t.ok(worst.every(w => w <= BOUND_MS), `every round within ${BOUND_MS} ms (worst ${Math.max(...worst).toFixed(1)} ms)`)
})
