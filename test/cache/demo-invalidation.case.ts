// config/demo.yaml's invalidation rule in front of the demo shop: a price saved in the shop's admin shows on the
// next product page view instead of after the 30 min ttl.
import t from '../helpers/cases.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { Agent, request } from 'undici'
import { startLegacyApp } from '../../examples/legacy-app/shop.js'
import { packageRoot } from '../../src/paths.js'
import { startSidecar } from '../helpers/sidecar.js'

const FAST = { minDelayMs: 0, maxDelayMs: 1, searchMinDelayMs: 0, searchMaxDelayMs: 1 }

t.test('demo: POST /admin/product-save.php purges the product pages before it answers', async t => {
  const demo = parse(readFileSync(join(packageRoot, 'config', 'demo.yaml'), 'utf8')) as { cache: Record<string, unknown> }
  const shop = await startLegacyApp({ port: 0, ...FAST })
  t.after(() => shop.close())
  const sc = await startSidecar({ upstream: { url: shop.url }, cache: { ...demo.cache, store: 'memory' } })
  t.after(() => sc.close())
  const agent = new Agent()
  t.after(() => agent.close())
  const get = async (path: string): Promise<{ cache: unknown, body: string }> => {
    const res = await request(sc.url + path, { dispatcher: agent })
    return { cache: res.headers['x-cache'], body: await res.body.text() }
  }
  await get('/product.php?id=7')
  t.equal((await get('/product.php?id=7')).cache, 'HIT')
  await get('/catalog.php?page=1')
  t.equal((await get('/catalog.php?page=1')).cache, 'HIT')

  const saved = await request(sc.url + '/admin/product-save.php', {
    dispatcher: agent, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'id=7&price=1234.50'
  })
  t.equal(saved.statusCode, 200)
  await saved.body.text()
  const after = await get('/product.php?id=7')
  t.equal(after.cache, 'MISS', 'purged before the save was answered')
  t.match(after.body, /1[,.]?234[.,]50/, 'the new price')
  t.equal((await get('/catalog.php?page=1')).cache, 'MISS')
})
