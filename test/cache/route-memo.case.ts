// The remembered rule and key base of a target (src/plugins/cache/route-memo.ts): bounded, and never reused for
// another method, host or scheme of the same target.
import t from '../helpers/cases.js'
import { RouteMemo, RouteMemoEntry } from '../../src/plugins/cache/route-memo.js'
import { page, setupCache } from './fixtures/setup.js'

t.test('RouteMemo: an entry answers only its method, scheme and host; the oldest target goes first when full', async t => {
  const memo = new RouteMemo(3)
  const e = new RouteMemoEntry('GET', 'http', 'a.test', null, '/p\thttp://a.test\t')
  memo.set('/p', e)
  t.equal(memo.get('/p', 'GET', 'http', 'a.test'), e)
  t.equal(memo.get('/p', 'HEAD', 'http', 'a.test'), null)
  t.equal(memo.get('/p', 'GET', 'https', 'a.test'), null)
  t.equal(memo.get('/p', 'GET', 'http', 'b.test'), null)
  t.equal(memo.get('/q', 'GET', 'http', 'a.test'), null)
  for (const url of ['/1', '/2', '/3']) memo.set(url, new RouteMemoEntry('GET', 'http', 'a.test', null, url))
  t.equal(memo.size, 3, 'never above its bound')
  t.equal(memo.get('/p', 'GET', 'http', 'a.test'), null, 'the oldest was dropped')
  memo.set('/3', new RouteMemoEntry('GET', 'http', 'b.test', null, '/3b'))
  t.equal(memo.size, 3, 'replacing a target drops nothing else')
  t.equal(memo.get('/1', 'GET', 'http', 'a.test')?.key, '/1')
  t.equal(memo.get('/3', 'GET', 'http', 'b.test')?.key, '/3b')
})

t.test('one target, other hosts, methods and schemes: each gets its own rule and key, hit after hit', async t => {
  const c = await setupCache(t, { '/p': page({ 'cache-control': 'no-store' }, n => `page ${n}`) }, {
    rules: [
      { name: 'a', path: '/p', host: 'a.test', methods: ['GET'], override: true, ttl: '1h' },
      { name: 'b', path: '/p', host: 'b.test', override: true, ttl: '1h', vary: { headers: ['x-variant'] } },
      { name: 'rest', path: '/p', bypass: true }
    ]
  })
  const a = { host: 'a.test' }
  t.equal((await c.get('/p', a)).headers['x-cache'], 'MISS')
  const hit = await c.get('/p', a)
  t.equal(hit.headers['x-cache'], 'HIT')
  t.equal(hit.body, 'page 1')
  const other = await c.get('/p', { host: 'c.test' })
  t.equal(other.headers['x-cache'], 'BYPASS', 'another host matches the bypass rule, not the remembered one')
  t.match(String(other.headers['cache-status']), /detail=rule/)
  t.equal((await c.get('/p', a, 'HEAD')).headers['x-cache'], 'BYPASS', 'HEAD is not in rule a')
  t.equal((await c.get('/p', { ...a, 'x-forwarded-proto': 'https' })).headers['x-cache'], 'MISS', 'https is another key')
  t.equal((await c.get('/p', a)).body, 'page 1', 'the http entry is still served')
  t.equal((await c.get('/p', { host: 'b.test', 'x-variant': '1' })).headers['x-cache'], 'MISS')
  t.equal((await c.get('/p', { host: 'b.test', 'x-variant': '2' })).headers['x-cache'], 'MISS', 'vary headers still join the key')
  const v1 = await c.get('/p', { host: 'b.test', 'x-variant': '1' })
  t.equal(v1.headers['x-cache'], 'HIT')
  t.equal(c.hits('/p'), 6)
})
