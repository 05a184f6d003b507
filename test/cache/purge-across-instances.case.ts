// Two sidecars sharing Redis (tiered store): a purge on one drops the page on both.
import t from '../helpers/cases.js'
import { request } from 'undici'
import { twoInstances } from './fixtures/two-instances.js'
import { fetchAnswer } from './fixtures/setup.js'

t.test('purge by URL, prefix and tag across two instances sharing Redis', async t => {
  let n = 0
  const set = await twoInstances(t, 'cache-purge', (req, res) => {
    res.setHeader('cache-control', 'max-age=600')
    if (req.url?.startsWith('/product.php')) res.setHeader('surrogate-key', 'product-42')
    res.end(`v${++n} ${req.url}`)
  })
  if (set === null) return
  const { a, b } = set

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
