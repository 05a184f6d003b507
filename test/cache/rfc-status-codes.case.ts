// RFC 9111 §3: a response of any final status may be stored when it carries explicit freshness (max-age,
// s-maxage, Expires); without it only the statuses cacheable by default are (heuristically).
import t from '../helpers/cases.js'
import { setupCache, type Page } from './fixtures/setup.js'

const status = (code: number, headers: Record<string, string>): Page => (_req, res, n) => {
  res.statusCode = code
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v)
  res.end(`${code}-${n}`)
}

t.test('4xx and 5xx with explicit freshness are stored and served from the cache', async t => {
  const future = new Date(Date.now() + 600_000).toUTCString()
  const c = await setupCache(t, {
    '/500': status(500, { 'cache-control': 'max-age=60' }),
    '/503': status(503, { 'cache-control': 's-maxage=60' }),
    '/429': status(429, { expires: future }),
    '/403': status(403, { 'cache-control': 'max-age=60' }),
    '/418': status(418, { 'cache-control': 'public, max-age=60' }),
    '/599': status(599, { 'cache-control': 'max-age=60' })
  })
  for (const p of ['/500', '/503', '/429', '/403', '/418', '/599']) {
    const miss = await c.get(p)
    t.equal(miss.headers['cache-status'], 'sipup; fwd=miss; stored', p)
    const hit = await c.get(p)
    t.equal(hit.status, Number(p.slice(1)), `${p} status kept`)
    t.equal(hit.headers['x-cache'], 'HIT', p)
    t.equal(hit.body, `${p.slice(1)}-1`)
    t.equal(c.hits(p), 1)
  }
})

t.test('without explicit freshness, or with no-store, private or must-understand, they are not', async t => {
  const c = await setupCache(t, {
    '/plain': status(500, { 'last-modified': 'Sun, 06 Nov 1994 08:49:37 GMT' }),
    '/public': status(503, { 'cache-control': 'public' }),
    '/nostore': status(500, { 'cache-control': 'max-age=60, no-store' }),
    '/private': status(429, { 'cache-control': 'private, max-age=60' }),
    '/understand': status(599, { 'cache-control': 'max-age=60, must-understand' }),
    '/expired': status(500, { expires: 'not a date' })
  })
  for (const p of ['/plain', '/public', '/nostore', '/private', '/understand', '/expired']) {
    await c.get(p)
    t.equal((await c.get(p)).headers['x-cache'], 'MISS', p)
    t.equal(c.hits(p), 2, p)
  }
})
