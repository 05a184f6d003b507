// Purge by URL, prefix and tag through the admin API, and the PURGE method from trusted addresses.
import t from '../helpers/cases.js'
import { request } from 'undici'
import { page, setupCache } from './fixtures/setup.js'

const pages = {
  '/product.php': page({ 'cache-control': 'max-age=600', 'surrogate-key': 'product-42 category-7' }, 'p'),
  '/catalog.php': page({ 'cache-control': 'max-age=600', 'cache-tag': 'category-7, list' }, 'c'),
  '/about.php': page({ 'cache-control': 'max-age=600' }, 'a')
}
const admin = { admin: { enabled: true, token: 'secret' } }

async function purge (url: string, body: unknown, token = 'secret'): Promise<{ status: number, json: Record<string, unknown> }> {
  const res = await request(url + '/_admin/api/cache/purge', {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body)
  })
  return { status: res.statusCode, json: await res.body.json() as Record<string, unknown> }
}

t.test('admin purge by URL, prefix and tags', async t => {
  const c = await setupCache(t, pages, {}, admin)
  const warm = async (): Promise<void> => { for (const p of ['/product.php?id=42', '/product.php?id=43', '/catalog.php?c=7', '/about.php']) await c.get(p) }
  const cached = async (p: string): Promise<boolean> => (await c.get(p, { 'cache-control': 'only-if-cached' })).status === 200
  await warm()
  t.same((await purge(c.sidecar.url, { urls: ['/product.php?id=42'] })).json, { purged: 1 })
  t.notOk(await cached('/product.php?id=42'))
  t.ok(await cached('/product.php?id=43'))
  await warm()
  t.same((await purge(c.sidecar.url, { prefix: '/product.php' })).json, { purged: 2 })
  t.notOk(await cached('/product.php?id=43'))
  t.ok(await cached('/catalog.php?c=7'))
  await warm()
  t.same((await purge(c.sidecar.url, { tags: ['category-7'] })).json, { purged: 3 })
  t.notOk(await cached('/catalog.php?c=7'))
  t.ok(await cached('/about.php'))
})

t.test('bad purge requests get a clear 400; no credentials a 401', async t => {
  const c = await setupCache(t, pages, {}, admin)
  const bad = await purge(c.sidecar.url, { url: '/x' })
  t.equal(bad.status, 400)
  t.equal(bad.json.code, 'SIPUP_ERR_CACHE_PURGE_INVALID')
  t.match(bad.json.detail, /unknown field 'url'/)
  t.match((await purge(c.sidecar.url, { urls: ['ftp://x/'] })).json.detail, /urls: expected a path starting with \/ or an http\(s\) URL/)
  t.match((await purge(c.sidecar.url, {})).json.detail, /at least one of urls, prefix, tags or regex/)
  t.equal((await purge(c.sidecar.url, { prefix: '/' }, 'wrong')).status, 401)
})

t.test('the PURGE method purges a URL for trusted addresses only', async t => {
  const c = await setupCache(t, pages)
  await c.get('/about.php')
  const res = await c.get('/about.php', {}, 'PURGE')
  t.equal(res.status, 200)
  t.same(JSON.parse(res.body), { purged: 1 })
  t.equal((await c.get('/about.php')).headers['x-cache'], 'MISS')
  t.equal(c.origin.requests.filter(r => r.method === 'PURGE').length, 0, 'PURGE never reaches the origin')

  const strict = await setupCache(t, pages, { purge: { allow: ['192.0.2.0/24'] } })
  const denied = await strict.get('/about.php', {}, 'PURGE')
  t.equal(denied.status, 403)
  t.match(JSON.parse(denied.body).code, 'SIPUP_ERR_CACHE_PURGE_FORBIDDEN')
})
