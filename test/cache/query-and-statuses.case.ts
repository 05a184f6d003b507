// Issue 12 item 6: the cache key reads the query as PHP does (repeated parameters keep their order, PHP uses the
// last), parameters left out of the key never reach the origin, and `override` stores only the listed statuses.
import t from '../helpers/cases.js'
import { setupCache, type Page } from './fixtures/setup.js'
import { PHP_HEADERS } from './fixtures/php.js'
import { queryNormalizer, queryDropper, dropFromTarget } from '../../src/plugins/cache/cache-key.js'
import { loadConfig } from '../../src/sidecar-config.js'
import { buildApp } from '../../src/app.js'
import { pino } from 'pino'

/** A PHP page that shows `$_GET['id']` (the last `id`) and reflects the whole query, like a careless template. */
const reflecting: Page = (req, res, n) => {
  for (const [k, v] of Object.entries(PHP_HEADERS)) res.setHeader(k, v)
  const q = new URLSearchParams((req.url ?? '').split('?')[1] ?? '')
  const ids = q.getAll('id')
  res.end(`product ${ids[ids.length - 1] ?? '-'} query=${q.toString()} #${n}`)
}

const status = (code: number): Page => (_req, res, n) => {
  for (const [k, v] of Object.entries(PHP_HEADERS)) res.setHeader(k, v)
  res.statusCode = code
  res.end(`status ${code} #${n}`)
}

const SHARED = { ttl: '30m', override: true }
const SID = { cookie: 'PHPSESSID=s' }

t.test('repeated parameters keep their order in the key: ?id=11&id=12 and ?id=12&id=11 are two pages', async t => {
  const c = await setupCache(t, { '/p.php': reflecting }, { rules: [{ path: '/p.php', ...SHARED }] })
  t.match((await c.get('/p.php?id=11&id=12', SID)).body, /^product 12 /)
  t.match((await c.get('/p.php?id=12&id=11', SID)).body, /^product 11 /, 'not the entry of the other order')
  t.match((await c.get('/p.php?id=12&id=11', SID)).body, /^product 11 /)
  t.equal((await c.get('/p.php?b=1&id=12&a=2&id=11', SID)).headers['x-cache'], 'MISS')
  const sorted = await c.get('/p.php?a=2&id=12&b=1&id=11', SID)
  t.equal(sorted.headers['x-cache'], 'HIT', 'other names still sort')
})

t.test('dropped parameters are dropped from the origin request too: a reflected value is never stored', async t => {
  const c = await setupCache(t, { '/p.php': reflecting }, { rules: [{ path: '/p.php', ...SHARED }] })
  const first = await c.get('/p.php?id=1&utm_source=%3Cscript%3Eevil%3C%2Fscript%3E&gclid=x', SID)
  t.notMatch(first.body, /evil|gclid/, 'the origin never saw them')
  const req = c.origin.requests[c.origin.requests.length - 1]
  t.equal(req.url, '/p.php?id=1')
  const second = await c.get('/p.php?id=1&utm_source=mail', SID)
  t.equal(second.headers['x-cache'], 'HIT')
  t.equal(second.body, first.body)
  // Any method: the drop rule is one rule for every request the origin gets.
  await c.get('/p.php?utm_campaign=a&id=2', SID, 'POST')
  t.equal(c.origin.requests[c.origin.requests.length - 1].url, '/p.php?id=2')
  await c.get('/p.php?utm_campaign=a', SID, 'DELETE')
  t.equal(c.origin.requests[c.origin.requests.length - 1].url, '/p.php')
})

t.test('override stores 200, 301, 404 (with its own short ttl), 410 by default; never 5xx or 302', async t => {
  const pages: Record<string, Page> = {}
  for (const code of [200, 301, 302, 404, 410, 500, 502, 503]) pages[`/s${code}.php`] = status(code)
  const c = await setupCache(t, pages, { rules: [{ path: '/s*', ...SHARED }] })
  for (const code of [200, 301, 404, 410]) {
    await c.get(`/s${code}.php`, SID)
    t.equal((await c.get(`/s${code}.php`, SID)).headers['x-cache'], 'HIT', `${code} stored`)
  }
  for (const code of [302, 500, 502, 503]) {
    await c.get(`/s${code}.php`, SID)
    const again = await c.get(`/s${code}.php`, SID)
    t.equal(again.headers['x-cache'], 'MISS', `${code} not stored`)
    t.equal(again.body, `status ${code} #2`)
  }
})

t.test('a statuses list narrows override; a 404 lives notFoundTtl at most', async t => {
  const c = await setupCache(t, { '/a.php': status(200), '/n.php': status(404) }, {
    rules: [{ path: '/a.php', ...SHARED, statuses: [200] }, { path: '/n.php', ...SHARED, statuses: [200], notFoundTtl: '5s' }]
  })
  await c.get('/n.php', SID)
  t.equal((await c.get('/n.php', SID)).headers['x-cache'], 'MISS', '404 not listed: not stored')
  const { analyzeResponse } = await import('../../src/plugins/cache/policy.js')
  const rule = { ttl: 1_800_000, override: true, grace: 0, statuses: new Set([200, 404]), notFoundTtl: 60_000 }
  const req = { method: 'GET', url: '/x', headers: {} }
  t.equal(analyzeResponse(req, 404, PHP_HEADERS, rule, false).freshMs, 60_000)
  t.equal(analyzeResponse(req, 200, PHP_HEADERS, rule, false).freshMs, 1_800_000)
  t.equal(analyzeResponse(req, 404, PHP_HEADERS, { ...rule, ttl: 10_000 }, false).freshMs, 10_000, 'never beyond ttl')
})

t.test('a 5xx (or a redirect to a login page) in statuses is a config error naming the key', async t => {
  for (const bad of [500, 503, 302]) {
    const { config } = loadConfig({ env: {}, overrides: { redis: { enabled: false }, cache: { enabled: true, store: 'memory', rules: [{ path: '/x', ...SHARED, statuses: [200, bad] }] } } })
    await t.rejects(async () => {
      const app = await buildApp(config, { logger: pino({ level: 'silent' }) })
      await app.close()
    }, { code: 'SIPUP_ERR_CACHE_RULE_INVALID', message: /cache\.rules\[0\]\.statuses/ }, String(bad))
  }
})

t.test('key and drop helpers', async t => {
  const norm = queryNormalizer({ sort: true, drop: ['utm_*', 'gclid'] })
  t.equal(norm('id=12&b=1&id=11'), 'b=1&id=12&id=11')
  t.not(norm('id=11&id=12'), norm('id=12&id=11'))
  t.equal(norm('id=11&%69d=12'), 'id=11&%69d=12', 'one name to PHP, client order kept')
  t.not(norm('id=11&%69d=12'), norm('%69d=12&id=11'))
  t.equal(norm('a.b=1&a_b=2'), 'a.b=1&a_b=2', 'PHP reads a.b as a_b')
  t.equal(norm('x[]=2&x[]=1'), 'x[]=2&x[]=1')
  t.equal(norm('utm%5Fsource=1&id=1'), 'id=1', 'encoded names are dropped too')
  const drop = queryDropper(['utm_*', 'gclid'])
  t.ok(drop !== null)
  if (drop === null) return
  t.equal(dropFromTarget('/p?b=1&utm_x=2&a=1', drop), '/p?b=1&a=1', 'order kept for the origin')
  t.equal(dropFromTarget('/p?gclid=1', drop), '/p')
  t.equal(dropFromTarget('/p?a=1', drop), '/p?a=1')
  t.equal(queryDropper([]), null)
})
