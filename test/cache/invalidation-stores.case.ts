// RFC 9111 §4.4 with every store: once the response to a successful POST has reached the client, the next GET of
// the URL, its Location or Content-Location is never answered from the old entry (memory layer and Redis alike).
import t from '../helpers/cases.js'
import { Redis } from 'ioredis'
import { Agent } from 'undici'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { fetchAnswer } from './fixtures/setup.js'

const ROUNDS = 5

for (const store of ['memory', 'redis', 'tiered'] as const) {
  t.test(`${store}: a POST's invalidation is done before its response completes`, async t => {
    const redis: Record<string, unknown> = { enabled: false }
    if (store !== 'memory') {
      if (!await requireRedis(t)) return
      const keyPrefix = uniquePrefix(`cache-invalidate-${store}`)
      Object.assign(redis, { enabled: true, url: REDIS_URL, keyPrefix })
      const cleaner = new Redis(REDIS_URL)
      t.after(async () => {
        const keys = await cleaner.keys(`${keyPrefix}*`)
        if (keys.length > 0) await cleaner.del(...keys)
        await cleaner.quit()
      })
    }
    let version = 0
    const origin = await startOrigin((req, res) => {
      req.resume()
      if (req.method === 'POST') {
        version++
        res.statusCode = 303
        res.setHeader('location', '/list?page=1')
        res.setHeader('content-location', '/item/latest')
        res.end()
        return
      }
      res.setHeader('cache-control', 'max-age=600')
      res.end(`${req.url ?? ''} v${version}`)
    })
    t.after(() => origin.close())
    const sidecar = await startSidecar({ upstream: { url: origin.url }, redis, cache: { enabled: true, store }, admin: { enabled: false } })
    t.after(() => sidecar.close())
    t.equal(sidecar.app.sidecarCache?.store.name, store)
    const agent = new Agent({ connections: 4 })
    t.after(() => agent.close())
    const get = (path: string, method = 'GET'): ReturnType<typeof fetchAnswer> => fetchAnswer(sidecar.url + path, {}, method, agent)
    const paths = ['/item?id=1', '/list?page=1', '/item/latest']
    for (let round = 0; round < ROUNDS; round++) {
      for (const p of paths) await get(p)
      for (const p of paths) t.equal((await get(p)).headers['x-cache'], 'HIT', `round ${round}: ${p} stored`)
      t.equal((await get('/item?id=1', 'POST')).status, 303)
      // No pause: the client has the POST's answer, so the invalidation must already be in effect.
      for (const p of paths) {
        const after = await get(p)
        t.equal(after.body, `${p} v${round + 1}`, `round ${round}: ${p} is the new version (${String(after.headers['x-cache'])})`)
      }
    }
  })
}
