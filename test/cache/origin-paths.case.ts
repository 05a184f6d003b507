// Issue 12 item 4: cache rules match the path as the origin reads it. Bypass rules ignore case and catch every
// spelling (over-matching a bypass is the safe side); storing rules follow `origin.caseInsensitivePaths`.
import t from '../helpers/cases.js'
import { setupCache } from './fixtures/setup.js'
import { phpPage } from './fixtures/php.js'
import { Value } from '@sinclair/typebox/value'
import { compileRules, matchRule } from '../../src/plugins/cache/rules.js'
import { CacheRuleSchema, type CacheRuleConfig } from '../../src/plugins/cache/schema.js'
import { originPath } from '../../src/core/origin-path.js'

const ANY = { '/cart.php': phpPage(), '/CART.php': phpPage(), '/p.php': phpPage(), '/P.php': phpPage() }

t.test('a bypass rule catches case, PATH_INFO, trailing dot/space, ; and encoded spellings', async t => {
  const pages = Object.fromEntries(['/cart.php', '/CART.php', '/cart.php/x', '/cart.php.', '/cart.php ', '/cart.php;', '/cart%2Ephp', '/cart.php']
    .map(p => [p, phpPage()]))
  const c = await setupCache(t, pages, { rules: [{ name: 'cart', path: '/cart.php', bypass: true }, { path: '/*', ttl: '5m', override: true }] })
  for (const p of ['/cart.php', '/CART.php', '/cart.php/x', '/cart.php.', '/cart.php%20', '/cart.php;', '/cart%2Ephp']) {
    const r = await c.get(p)
    t.equal(r.headers['x-cache'], 'BYPASS', p)
  }
})

t.test('storing rules are case-sensitive unless origin.caseInsensitivePaths', async t => {
  const rule = { name: 'p', path: '/p.php', ttl: '5m', override: true }
  const strict = await setupCache(t, ANY, { rules: [rule] })
  const sid = { cookie: 'PHPSESSID=s' }
  await strict.get('/p.php', sid)
  t.equal((await strict.get('/p.php', sid)).headers['x-cache'], 'HIT')
  await strict.get('/P.php', sid)
  t.equal((await strict.get('/P.php', sid)).headers['x-cache'], 'MISS', 'Linux origin: /P.php is another file')
  const win = await setupCache(t, ANY, { rules: [rule] }, { origin: { caseInsensitivePaths: true } })
  await win.get('/P.php', sid)
  t.equal((await win.get('/P.php', sid)).headers['x-cache'], 'HIT', 'Windows origin: /P.php runs p.php')
})

t.test('compiled rules: PATH_INFO by default for file-like globs, pathRegex gets the case flag', async t => {
  const base = Value.Default(CacheRuleSchema, { ttl: 1000, override: true }) as CacheRuleConfig
  const input = (path: string) => ({ method: 'GET', host: 'h', query: '', identified: false, cookies: [], path: originPath(path) })
  const rules = compileRules([{ ...base, name: 'p', path: '/product.php' }, { ...base, name: 'x', pathRegex: '^/x\\.php$', bypass: true, ttl: 0, override: false }])
  t.equal(matchRule(rules, input('/product.php/red-shoes'))?.name, 'p')
  t.equal(matchRule(rules, input('/Product.php')), null)
  t.equal(matchRule(rules, input('/X.PHP'))?.name, 'x')
  const off = compileRules([{ ...base, name: 'p', path: '/product.php' }], { caseInsensitivePaths: true, pathInfo: false })
  t.equal(matchRule(off, input('/product.php/red-shoes')), null)
  t.equal(matchRule(off, input('/PRODUCT.php'))?.name, 'p')
})
