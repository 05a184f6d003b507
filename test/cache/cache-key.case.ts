// Cache keys: normalized query, scope parts, and purge prefixes that reach every variant.
import t from '../helpers/cases.js'
import { CookiePatterns, parseCookies } from '../../src/core/cookies.js'
import { digest, purgePrefixForUrl, queryNormalizer, ruleVaryPart, urlKey, varyKey } from '../../src/plugins/cache/cache-key.js'

const norm = queryNormalizer({ sort: true, drop: ['utm_*', 'gclid', 'fbclid'] })

t.test('query: sorted, tracking parameters dropped, empty query like none', async t => {
  t.equal(norm('b=2&a=1'), 'a=1&b=2')
  t.equal(norm('utm_source=x&id=3&gclid=9&fbclid=1&utm_medium=y'), 'id=3')
  t.equal(urlKey('/p?utm_source=x', 'http', 'shop', norm), urlKey('/p', 'http', 'shop', norm))
  t.equal(queryNormalizer({ sort: false, drop: [] })('b=2&a=1'), 'b=2&a=1')
})

t.test('keys differ by scheme, host, path and query', async t => {
  const keys = new Set([
    urlKey('/p?a=1', 'http', 'shop', norm), urlKey('/p?a=1', 'https', 'shop', norm),
    urlKey('/p?a=1', 'http', 'other', norm), urlKey('/q?a=1', 'http', 'shop', norm), urlKey('/p?a=2', 'http', 'shop', norm)
  ])
  t.equal(keys.size, 5)
})

t.test('a URL purge prefix covers every scope and variant of that URL only', async t => {
  const key = urlKey('/p?b=1&a=2', 'http', 'shop', norm)
  const userKey = key + `u:${digest('sess')};`
  const variant = varyKey(userKey, ['accept-language'], { 'accept-language': 'de' })
  for (const prefix of [purgePrefixForUrl('/p?a=2&b=1', norm), purgePrefixForUrl('http://shop/p?a=2&b=1&utm_x=1', norm)]) {
    t.ok(key.startsWith(prefix))
    t.ok(variant.startsWith(prefix))
    t.notOk(urlKey('/p?a=2&b=1&c=3', 'http', 'shop', norm).startsWith(prefix))
  }
  t.notOk(key.startsWith(purgePrefixForUrl('http://other/p?a=2&b=1', norm)))
})

t.test('cookies and rule vary parts', async t => {
  const headers = { cookie: 'cur=EUR; wp-postpass_abc=h1; comment_author_x=Ann', 'x-device': 'm' }
  const pairs = parseCookies(headers.cookie)
  t.equal(ruleVaryPart(new CookiePatterns(['cur']), pairs, ['x-device'], headers), 'c:cur=EUR;h:x-device=m;')
  t.equal(ruleVaryPart(new CookiePatterns(['comment_author_*', 'wp-postpass_*']), pairs, [], headers),
    'c:comment_author_x=Ann;wp-postpass_abc=h1;', 'every cookie a glob matches joins the key, name and value')
  t.equal(ruleVaryPart(new CookiePatterns(['cur']), [], [], {}), 'c:;', 'absent cookie')
  t.not(digest('a'), 'a')
})
