// Rule compilation (config errors name the rule and option) and first-match-wins matching.
import t from '../helpers/cases.js'
import { Value } from '@sinclair/typebox/value'
import { parseCookies } from '../../src/core/cookies.js'
import { compileRules, globToRegExp, matchRule } from '../../src/plugins/cache/rules.js'
import { CacheRuleSchema, type CacheRuleConfig } from '../../src/plugins/cache/schema.js'

const rule = (r: Partial<CacheRuleConfig>): CacheRuleConfig => Value.Default(CacheRuleSchema, structuredClone(r)) as CacheRuleConfig
const input = (path: string, { cookie, ...o }: Partial<{ method: string, host: string, query: string, identified: boolean, cookie: string }> = {}) =>
  ({ method: 'GET', host: 'shop.test', query: '', identified: false, path, cookies: parseCookies(cookie), ...o })

t.test('globs: * spans slashes, ? is one character, the rest is literal', async t => {
  t.ok(globToRegExp('/static/*').test('/static/css/a.css'))
  t.ok(globToRegExp('/product.php*').test('/product.php'))
  t.notOk(globToRegExp('/product.php*').test('/productXphp'))
  t.ok(globToRegExp('/a?c').test('/abc'))
})

t.test('first match wins; path glob, regex, method, host and query narrow it', async t => {
  const rules = compileRules([
    rule({ name: 'api', pathRegex: '^/api/', methods: ['GET'] }),
    rule({ name: 'cat', path: '/catalog.php', query: { category: '*' } }),
    rule({ name: 'static', path: '/static/*', host: '*.test' }),
    rule({ name: 'all', path: '/*' })
  ])
  t.equal(matchRule(rules, input('/api/products.php'))?.name, 'api')
  t.equal(matchRule(rules, input('/api/products.php', { method: 'HEAD' }))?.name, 'all')
  t.equal(matchRule(rules, input('/catalog.php', { query: 'category=3&page=2' }))?.name, 'cat')
  t.equal(matchRule(rules, input('/catalog.php'))?.name, 'all')
  t.equal(matchRule(rules, input('/static/a.css'))?.name, 'static')
  t.equal(matchRule(rules, input('/static/a.css', { host: 'other.example' }))?.name, 'all')
})

t.test('anonymousOnly rules are skipped for identified requests', async t => {
  const rules = compileRules([
    rule({ name: 'anon', path: '/p*', anonymousOnly: true, stripSetCookie: true, override: true, ttl: 1000 }),
    rule({ name: 'ctx', path: '/p*', scope: 'context', override: true, ttl: 1000 })
  ])
  t.equal(matchRule(rules, input('/p'))?.name, 'anon')
  t.equal(matchRule(rules, input('/p', { identified: true }))?.name, 'ctx')
})

t.test('unnamed rules get rule<N>', async t => {
  t.equal(compileRules([rule({ path: '/a' }), rule({ path: '/b' })])[1].name, 'rule2')
})

t.test('config errors name the rule and option, say what was expected and what was received', async t => {
  t.throws(() => compileRules([rule({ path: '/a', stripSetCookie: true })]),
    { code: 'SIPUP_ERR_CACHE_RULE_INVALID', message: /cache\.rules\[0\]\.stripSetCookie: expected anonymousOnly: true/ })
  t.throws(() => compileRules([rule({ path: '/a' }), rule({ pathRegex: '([' })]),
    { code: 'SIPUP_ERR_CACHE_RULE_INVALID', message: /cache\.rules\[1\]\.pathRegex: expected a regular expression in RE2 syntax .*, got '"\(\["; RE2: / })
  t.throws(() => compileRules([rule({ path: 'a' })]), { message: /rules\[0\]\.path: expected a glob starting with \// })
  t.throws(() => compileRules([rule({ path: '/a', override: true })]), { message: /rules\[0\]\.ttl/ })
  t.throws(() => compileRules([rule({ path: '/a', pathRegex: '^/a' })]), { message: /either path or pathRegex/ })
  t.throws(() => compileRules([rule({ path: '/a', anonymousOnly: true, scope: 'per-user' })]), { message: /rules\[0\]\.scope/ })
})

t.test('cookie conditions: present (any of the names or globs) and absent (none of them)', async t => {
  const rules = compileRules([
    rule({ name: 'logged-in', path: '/*', bypass: true, cookies: { present: ['wordpress_logged_in_*', 'comment_author_*'], absent: [] } }),
    rule({ name: 'no-cart', path: '/*', cookies: { present: [], absent: ['cart'] } }),
    rule({ name: 'rest', path: '/*' })
  ])
  t.equal(matchRule(rules, input('/p', { cookie: 'wordpress_logged_in_5f3a=bob' }))?.name, 'logged-in')
  t.equal(matchRule(rules, input('/p', { cookie: 'x=1; comment_author_5f3a=Ann' }))?.name, 'logged-in')
  t.equal(matchRule(rules, input('/p', { cookie: 'wordpress_logged_in_5f3a=' }))?.name, 'no-cart', 'an empty cookie is absent')
  t.equal(matchRule(rules, input('/p', { cookie: 'wordpress_test_cookie=1' }))?.name, 'no-cart')
  t.equal(matchRule(rules, input('/p', { cookie: 'cart=3' }))?.name, 'rest')
  t.equal(matchRule(rules, input('/p'))?.name, 'no-cart')
})
