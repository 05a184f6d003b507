// Two sidecars sharing Redis (tiered store): a purge on one drops the page on both.
import t from 'tap'
import { Redis } from 'ioredis'
import { request } from 'undici'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { fetchAnswer } from './fixtures/setup.js'

t.test('purge by URL, prefix and tag across two instances sharing Redis', async t => {
  if (!await requireRedis(t)) return
  const keyPrefix = uniquePrefix('cache-purge')
  const cleaner = new Redis(REDIS_URL)
  t.after(async () => {
    const keys = await cleaner.keys(`${keyPrefix}*`)
    if (keys.length > 0) await cleaner.del(...keys)
    await cleaner.quit()
  })
  let n = 0
  const origin = await startOrigin((req, res) => {
    res.setHeader('cache-control', 'max-age=600')
    if (req.url?.startsWith('/product.php')) res.setHeader('surrogate-key', 'product-42')
    res.end(`v${++n} ${req.url}`)
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

  const both = async (path: string): Promise<string[]> => [
    (await fetchAnswer(a.url + path, { host: 'shop.test' })).body, (await fetchAnswer(b.url + path, { host: 'shop.test' })).body]
  const cachedOn = async (url: string, path: string): Promise<boolean> =>
    (await fetchAnswer(url + path, { host: 'shop.test', 'cache-control': 'only-if-cached' })).status === 200
  const purgeVia = async (url: string, body: unknown): Promise<void> => {
    const res = await request(url + '/_admin/api/cache/purge', {
      method: 'POST', headers: { authorization: 'Bearer secret', 'content-type': 'application/json' }, body: JSON.stringify(body)
    })
    t.equal(res.statusCode, 200)
    await res.body.dump()
  }
  // The broadcast reaches the other instance asynchronously: wait for its L1 to drop the entry.
  const gone = async (url: string, path: string): Promise<boolean> => {
    for (let i = 0; i < 200; i++) {
      if (!await cachedOn(url, path)) return true
      await new Promise(resolve => setTimeout(resolve, 5))
    }
    return false
  }

  const [first, second] = await both('/page.php?x=1')
  t.equal(first, second, 'B got A\'s entry from Redis')
  t.ok(await cachedOn(b.url, '/page.php?x=1'))
  await purgeVia(a.url, { urls: ['http://shop.test/page.php?x=1'] })
  t.ok(await gone(b.url, '/page.php?x=1'), 'URL purge on A dropped B\'s copy')
  t.ok(await gone(a.url, '/page.php?x=1'))

  await both('/cat/1')
  await both('/cat/2')
  await purgeVia(b.url, { prefix: '/cat/' })
  t.ok(await gone(a.url, '/cat/1'), 'prefix purge on B dropped A\'s copies')
  t.ok(await gone(a.url, '/cat/2'))

  await both('/product.php?id=42')
  await purgeVia(a.url, { tags: ['product-42'] })
  t.ok(await gone(b.url, '/product.php?id=42'), 'tag purge on A dropped B\'s copy')
})
