// A purge made on another instance reaches everything this instance remembers: the tiered store's memory layer and
// the coalescer's just-settled entries (kept for lookups still under way). Found by the PHP e2e: right after a
// miss on B, a purge on A, and B answered the next plain request with the purged page from the coalescer.
import t from '../helpers/cases.js'
import { request } from 'undici'
import { twoInstances } from './fixtures/two-instances.js'
import { fetchAnswer } from './fixtures/setup.js'

t.test('a purge on A: B\'s next plain request goes to the origin, within the coalescer\'s window', async t => {
  let n = 0
  const set = await twoInstances(t, 'cache-purge-remote', (_req, res) => {
    res.setHeader('cache-control', 'max-age=600')
    res.setHeader('surrogate-key', 'product-42')
    res.end(`v${++n}`)
  }, { coalescing: { maxWait: '30s' } })
  if (set === null) return
  const { a, b } = set
  const onB = async (extra: Record<string, string> = {}) => await fetchAnswer(`${b.url}/product.php?id=42`, { host: 'shop.test', ...extra })

  t.equal((await onB()).body, 'v1', 'B misses and stores')
  t.equal((await onB()).body, 'v1', 'and hits')
  const res = await request(`${a.url}/_admin/api/cache/purge`, {
    method: 'POST', headers: { authorization: 'Bearer secret', 'content-type': 'application/json' }, body: JSON.stringify({ tags: ['product-42'] })
  })
  t.equal(res.statusCode, 200)
  await res.body.dump()
  // Wait for the broadcast to reach B's memory layer (only-if-cached never goes to the origin).
  for (let i = 0; i < 200 && (await onB({ 'cache-control': 'only-if-cached' })).status === 200; i++) {
    await new Promise(resolve => setTimeout(resolve, 5))
  }
  t.equal((await onB()).body, 'v2', 'the purged page is not answered from the coalescer\'s recent entries')
  t.equal(n, 2)
})
