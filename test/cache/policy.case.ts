// RFC 9111 decisions on single responses, including the http-cache-semantics gaps the cache closes.
import t from '../helpers/cases.js'
import { analyzeResponse, evaluate, merge304, normalizeCacheControl, notModified, parseHttpDate, type Headers } from '../../src/plugins/cache/policy.js'
import { timesFor } from '../../src/plugins/cache/entry-builder.js'

const req = (headers: Headers = {}) => ({ method: 'GET', url: '/x', headers: { host: 'shop', ...headers } })
const now = Date.UTC(2026, 0, 1)
const date = new Date(now).toUTCString()
const analyze = (h: Headers, status = 200, rq = req()) => analyzeResponse(rq, status, { date, ...h }, null, true)

t.test('freshness: s-maxage over max-age over Expires', async t => {
  t.equal(analyze({ 'cache-control': 'max-age=60, s-maxage=120' }).freshMs, 120_000)
  t.equal(analyze({ 'cache-control': 'max-age=60', expires: new Date(now + 600_000).toUTCString() }).freshMs, 60_000)
  t.equal(analyze({ expires: new Date(now + 600_000).toUTCString() }).freshMs, 600_000)
})

t.test('directive names are case-insensitive', async t => {
  t.equal(normalizeCacheControl('Max-Age=5, NO-CACHE'), 'max-age=5, no-cache')
  t.equal(analyze({ 'cache-control': 'NO-STORE' }).uncacheable, 'no-store')
  t.equal(analyze({ 'cache-control': 'MAX-AGE=30' }).freshMs, 30_000)
})

t.test('an invalid Expires means already expired', async t => {
  t.ok(Number.isNaN(parseHttpDate('0')))
  t.ok(Number.isNaN(parseHttpDate('tomorrow')))
  t.equal(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'), Date.UTC(1994, 10, 6, 8, 49, 37))
  t.equal(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT'), Date.UTC(1994, 10, 6, 8, 49, 37))
  t.equal(parseHttpDate('Sun Nov  6 08:49:37 1994'), Date.UTC(1994, 10, 6, 8, 49, 37))
  const a = analyze({ expires: '2099-01-01' })
  t.equal(a.freshMs, 0)
  t.equal(a.uncacheable, 'not-fresh')
})

t.test('no-store, private, Set-Cookie, Vary: * and unknown statuses are not stored', async t => {
  t.equal(analyze({ 'cache-control': 'no-store, max-age=60' }).uncacheable, 'no-store')
  t.equal(analyze({ 'cache-control': 'private, max-age=60' }).uncacheable, 'private')
  t.equal(analyze({ 'cache-control': 'public, max-age=60', 'set-cookie': 'a=1' }).uncacheable, 'set-cookie')
  t.equal(analyze({ 'cache-control': 'max-age=60', vary: '*' }).uncacheable, 'vary-star')
  t.equal(analyze({ 'cache-control': 'max-age=60' }, 206).uncacheable, 'not-storable-206')
  t.equal(analyze({ 'cache-control': 'max-age=60' }, 200, req({ 'cache-control': 'no-store' })).uncacheable, 'request-no-store')
})

t.test('Authorization: stored only when the response allows it', async t => {
  const auth = req({ authorization: 'Basic eDp5' })
  t.equal(analyze({ 'cache-control': 'max-age=60' }, 200, auth).uncacheable, 'authorization')
  t.equal(analyze({ 'cache-control': 'public, max-age=60' }, 200, auth).uncacheable, null)
  t.equal(analyze({ 'cache-control': 's-maxage=60' }, 200, auth).uncacheable, null)
  t.equal(analyze({ 'cache-control': 'max-age=60' }).authOk, false)
})

t.test('heuristic freshness only for statuses cacheable by default, with Last-Modified', async t => {
  const lm = new Date(now - 100_000_000).toUTCString()
  t.equal(analyze({ 'last-modified': lm }).freshMs, 10_000_000)
  t.equal(analyze({ 'last-modified': lm }, 302).uncacheable, 'not-storable-302')
  t.equal(analyze({}).uncacheable, 'not-fresh')
})

t.test('no-cache is stored for revalidation only when it has a validator', async t => {
  const a = analyze({ 'cache-control': 'no-cache', etag: '"v1"' })
  t.equal(a.uncacheable, null)
  t.equal(a.freshMs, 0)
  t.equal(a.revalidatable, true)
  t.equal(analyze({ 'cache-control': 'no-cache' }).uncacheable, 'not-fresh')
})

t.test('stale-while-revalidate and stale-if-error, unless must-revalidate', async t => {
  const a = analyze({ 'cache-control': 'max-age=10, stale-while-revalidate=30, stale-if-error=300' })
  t.equal(a.swrMs, 30_000)
  t.equal(a.sieMs, 300_000)
  const b = analyze({ 'cache-control': 'max-age=10, must-revalidate, stale-if-error=300' })
  t.equal(b.sieMs, 0)
  t.equal(b.freshMs, 10_000, 'must-revalidate does not shorten freshness')
  t.equal(analyze({ 'cache-control': 's-maxage=10, stale-if-error=300' }).sieMs, 0, 's-maxage implies proxy-revalidate')
})

t.test('Age from the origin shortens what is left', async t => {
  const a = analyze({ 'cache-control': 'max-age=60', age: '50' })
  t.equal(a.initialAge, 50)
  const times = timesFor(a, now)
  t.equal(times.freshUntil, now + 10_000)
})

t.test('Vary names are lower-cased; accept-encoding is left to the compression', async t => {
  t.same(analyze({ 'cache-control': 'max-age=6', vary: 'Accept-Language, Accept-Encoding' }).vary, ['accept-language'])
  t.same(analyzeResponse(req(), 200, { 'cache-control': 'max-age=6', vary: 'Accept-Encoding' }, null, false).vary, ['accept-encoding'])
})

t.test('override: a rule ttl replaces PHP\'s no-store headers, for cacheable statuses only', async t => {
  const php = { 'cache-control': 'no-store, no-cache, must-revalidate', pragma: 'no-cache', expires: 'Thu, 19 Nov 1981 08:52:00 GMT' }
  const rule = { ttl: 1_800_000, override: true, grace: 60_000, statuses: new Set([200, 203, 301, 404, 410]), notFoundTtl: 60_000 }
  const a = analyzeResponse(req(), 200, php, rule, true)
  t.equal(a.uncacheable, null)
  t.equal(a.freshMs, 1_800_000)
  t.equal(a.sieMs, 60_000)
  t.equal(analyzeResponse(req(), 302, php, rule, true).uncacheable, 'status-302')
  t.equal(analyzeResponse(req(), 200, { ...php, 'set-cookie': 'PHPSESSID=1' }, rule, true).uncacheable, 'set-cookie')
  const noOverride = { ttl: 60_000, override: false, grace: 0, statuses: new Set<number>(), notFoundTtl: 0 }
  t.equal(analyzeResponse(req(), 200, php, noOverride, true).uncacheable, 'no-store')
  t.equal(analyzeResponse(req(), 200, {}, noOverride, true).freshMs, 60_000, 'ttl stands in when the origin says nothing')
})

t.test('evaluate: fresh, stale-ok and the request directives', async t => {
  const e = { responseTime: now, initialAge: 0, freshUntil: now + 60_000, swrUntil: now + 120_000 }
  t.equal(evaluate(e, now + 1000, null), 'fresh')
  t.equal(evaluate(e, now + 90_000, null), 'stale-ok')
  t.equal(evaluate(e, now + 130_000, null), 'stale')
  t.equal(evaluate(e, now + 1000, new Map([['no-cache', true]])), 'stale')
  t.equal(evaluate(e, now + 30_000, new Map([['max-age', '10']])), 'stale')
  t.equal(evaluate(e, now + 55_000, new Map([['min-fresh', '10']])), 'stale')
  t.equal(evaluate(e, now + 150_000, new Map([['max-stale', '100']])), 'fresh')
  t.equal(evaluate(e, now + 150_000, new Map<string, string | true>([['max-stale', true]])), 'fresh')
})

t.test('merge304 keeps the stored body headers and takes the new ones', async t => {
  const m = merge304({ etag: '"a"', 'content-length': '5', 'cache-control': 'max-age=1', 'x-old': '1' },
    { 'cache-control': 'max-age=99', 'content-length': '0', 'set-cookie': 'x=1', connection: 'close' })
  t.same(m, { etag: '"a"', 'content-length': '5', 'cache-control': 'max-age=99', 'x-old': '1' })
})

t.test('client conditionals: If-None-Match (weak compare) wins over If-Modified-Since', async t => {
  const stored = { etag: 'W/"v1"', 'last-modified': 'Sun, 06 Nov 1994 08:49:37 GMT' }
  t.ok(notModified({ 'if-none-match': '"x", "v1"' }, stored))
  t.ok(notModified({ 'if-none-match': '*' }, stored))
  t.notOk(notModified({ 'if-none-match': '"x"', 'if-modified-since': 'Sun, 06 Nov 1994 08:49:37 GMT' }, stored))
  t.ok(notModified({ 'if-modified-since': 'Mon, 07 Nov 1994 08:49:37 GMT' }, stored))
  t.notOk(notModified({ 'if-modified-since': 'Sat, 05 Nov 1994 08:49:37 GMT' }, stored))
  t.notOk(notModified({ 'if-modified-since': 'garbage' }, stored))
})
