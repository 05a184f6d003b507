// A hit carries every value of a repeated response header, whatever other plugins set on the response first (the
// rate limiter sets its RateLimit headers before the cache answers).
import t from '../helpers/cases.js'
import { page, setupCache } from './fixtures/setup.js'

const headers = {
  'cache-control': 'public, max-age=600',
  link: ['</a.css>; rel=preload; as=style', '</b.js>; rel=preload; as=script', '</c.woff2>; rel=preload; as=font'],
  'x-multi': ['one', 'two'],
  etag: '"v1"'
}
const rateLimit = { rateLimit: { enabled: true, store: 'memory', user: { enabled: false }, rules: [] } }

for (const [name, extra] of [['rate limiting on', rateLimit], ['rate limiting off', {}]] as const) {
  t.test(`${name}: 3 Link headers on the miss are 3 on the hit and on a 304`, async t => {
    const c = await setupCache(t, { '/p': page(headers) }, {}, extra)
    const miss = await c.get('/p')
    t.same(miss.headers.link, headers.link)
    const hit = await c.get('/p')
    t.equal(hit.headers['x-cache'], 'HIT')
    t.same(hit.headers.link, headers.link, 'every Link value kept')
    t.same(hit.headers['x-multi'], ['one', 'two'])
    if (name === 'rate limiting on') t.ok(hit.headers.ratelimit, 'and the limiter\'s headers are there too')
    const notModified = await c.get('/p', { 'if-none-match': '"v1"' })
    t.equal(notModified.status, 304)
    t.equal(notModified.headers.etag, '"v1"')
  })
}
