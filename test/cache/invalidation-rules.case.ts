// cache.invalidate (issue 13 item 9): an edit through the proxy (a successful POST/PUT/PATCH/DELETE on a configured
// path) purges the configured prefixes, URLs (with the path's captures) and tags, before its response reaches the
// client; a failed edit, another method or another path purges nothing of it.
import t from '../helpers/cases.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { deleteKeys } from '../rate-limit/fixtures.js'
import { setupCache, type Page } from './fixtures/setup.js'

const cached = (tags?: string): Page => (_req, res, n) => {
  res.setHeader('cache-control', 'max-age=600')
  if (tags !== undefined) res.setHeader('surrogate-key', tags)
  res.end(`v${n}`)
}

function pages (edit: { status: number }): Record<string, Page> {
  const api: Page = (_req, res) => { res.statusCode = edit.status; res.end('{}') }
  return {
    '/': cached(),
    '/product.php': cached(),
    '/catalog.php': cached(),
    '/feed.xml': cached('feed'),
    '/about.php': cached(),
    '/admin/api/products/42': api,
    '/admin/api/products/43': api,
    '/admin/api/orders/7': api
  }
}

const RULES = [{
  methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  path: '/admin/api/products/*',
  purge: { prefixes: ['/catalog.php'], urls: ['/', '/product.php?id=$1'], tags: ['feed'] }
}]

const URLS = ['/', '/product.php?id=42', '/product.php?id=43', '/catalog.php?page=1', '/catalog.php?page=2', '/feed.xml', '/about.php']

async function prime (c: Awaited<ReturnType<typeof setupCache>>): Promise<void> {
  for (const u of URLS) await c.get(u)
}

async function states (c: Awaited<ReturnType<typeof setupCache>>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {}
  for (const u of URLS) out[u] = (await c.get(u)).headers['x-cache']
  return out
}

function runFor (store: 'memory' | 'redis' | 'tiered'): void {
  t.test(`${store} store: a successful edit purges what the rule says, before its response arrives`, async t => {
    let redis = {}
    if (store !== 'memory') {
      if (!await requireRedis(t)) return
      const prefix = uniquePrefix(`inval-rules-${store}`)
      redis = { redis: { enabled: true, url: REDIS_URL, keyPrefix: prefix } }
      t.after(() => deleteKeys(prefix))
    }
    const edit = { status: 200 }
    const c = await setupCache(t, pages(edit), { store, invalidate: RULES }, redis)
    await prime(c)
    t.same(await states(c), Object.fromEntries(URLS.map(u => [u, 'HIT'])), 'all cached')

    // No wait after the response: the purge is done when it arrives.
    t.equal((await c.get('/admin/api/products/42', { 'content-type': 'application/json' }, 'POST')).status, 200)
    t.same(await states(c), {
      '/': 'MISS',
      '/product.php?id=42': 'MISS',
      '/product.php?id=43': 'HIT',
      '/catalog.php?page=1': 'MISS',
      '/catalog.php?page=2': 'MISS',
      '/feed.xml': 'MISS',
      '/about.php': 'HIT'
    }, 'the home page, the product ($1 = 42), the catalog prefix and the feed tag are purged; nothing else')

    edit.status = 500
    t.equal((await c.get('/admin/api/products/43', {}, 'PUT')).status, 500)
    t.equal((await c.get('/product.php?id=43')).headers['x-cache'], 'HIT', 'a failed edit purges nothing')
    edit.status = 303
    await c.get('/admin/api/products/43', {}, 'DELETE')
    t.equal((await c.get('/product.php?id=43')).headers['x-cache'], 'MISS', 'a redirect counts as success')

    await prime(c)
    edit.status = 200
    await c.get('/admin/api/orders/7', {}, 'POST')
    t.same(await states(c), Object.fromEntries(URLS.map(u => [u, 'HIT'])), 'another path purges none of it')
  })
}
runFor('memory')
runFor('redis')
runFor('tiered')

t.test('config mistakes name the key', async t => {
  const { loadConfig } = await import('../../src/sidecar-config.js')
  const { buildApp } = await import('../../src/app.js')
  const { pino } = await import('pino')
  const build = async (invalidate: unknown[]): Promise<unknown> => {
    const { config } = loadConfig({ env: {}, overrides: { redis: { enabled: false }, cache: { enabled: true, store: 'memory', invalidate } } })
    const app = await buildApp(config, { logger: pino({ level: 'silent' }) })
    await app.close()
    return null
  }
  await t.rejects(build([{ path: '/a/*', purge: {} }]), { code: 'SIPUP_ERR_CACHE_RULE_INVALID', message: /cache\.invalidate\[0\]\.purge: expected at least one of prefixes, urls or tags/ })
  await t.rejects(build([{ path: '/a/*', purge: { urls: ['/p?id=$2'] } }]), { message: /cache\.invalidate\[0\]\.purge\.urls\[0\]: expected references \$1\.\.\$1/ })
  await t.rejects(build([{ path: '/a', purge: { prefixes: ['catalog'] } }]), { message: /cache\.invalidate\[0\]\.purge\.prefixes\[0\]: expected a path starting with \// })
  t.throws(() => loadConfig({ env: {}, overrides: { cache: { invalidate: [{ methods: ['GET'], path: '/a', purge: { prefixes: ['/'] } }] } } }), { code: 'SIPUP_ERR_CONFIG_INVALID', message: /cache\.invalidate\[0\]\.methods/ })
})

t.test('an unreachable Redis does not hold the edit longer than MAX_HOLD_MS, and the edit still succeeds', async t => {
  const edit = { status: 204 }
  const c = await setupCache(t, pages(edit), { store: 'redis', invalidate: RULES }, { redis: { enabled: true, url: 'redis://127.0.0.1:1', connectTimeout: '100ms' } })
  const r = await c.get('/admin/api/products/42', {}, 'PATCH')
  t.equal(r.status, 204, 'the edit answered')
})
