// scope: context — users with the same context hash share a page; another context never gets it.
import t from '../helpers/cases.js'
import { setupCache } from './fixtures/setup.js'
import { phpPage, session } from './fixtures/php.js'

const GROUPS: Record<string, string> = { alice: 'retail', bob: 'retail', carol: 'wholesale' }

t.test('context-keyed caching', async t => {
  const c = await setupCache(t, {
    '/sidecar-context.php': (req, res) => {
      res.setHeader('cache-control', 'no-store')
      res.setHeader('x-user-context-hash', GROUPS[session(req) ?? ''] ?? 'guest')
      res.end()
    },
    '/catalog.php': phpPage((user, n) => `prices of ${GROUPS[user] ?? user} #${n}`),
    '/broken.php': phpPage()
  }, {
    rules: [{ name: 'catalog', path: '/catalog.php', ttl: '30m', override: true, scope: 'context' }]
  })
  const alice = await c.get('/catalog.php?category=1', { cookie: 'PHPSESSID=alice' })
  t.equal(alice.body, 'prices of retail #1')
  const bob = await c.get('/catalog.php?category=1', { cookie: 'PHPSESSID=bob' })
  t.equal(bob.body, 'prices of retail #1', 'same context shares the page')
  t.equal(bob.headers['x-cache'], 'HIT')
  const carol = await c.get('/catalog.php?category=1', { cookie: 'PHPSESSID=carol' })
  t.equal(carol.body, 'prices of wholesale #2', 'another context never gets it')
  await c.get('/catalog.php?category=1', { cookie: 'PHPSESSID=alice' })
  t.equal(c.hits('/sidecar-context.php'), 3, 'the context is asked once per session')
  t.equal(c.origin.requests.find(r => r.url === '/sidecar-context.php')?.headers.cookie, 'PHPSESSID=alice')
})

t.test('the context endpoint failing makes the request bypass, never share', async t => {
  const c = await setupCache(t, {
    '/sidecar-context.php': (_req, res) => { res.statusCode = 500; res.end() },
    '/catalog.php': phpPage()
  }, { rules: [{ path: '/catalog.php', ttl: '30m', override: true, scope: 'context' }] })
  const r = await c.get('/catalog.php', { cookie: 'PHPSESSID=dave' })
  t.equal(r.headers['x-cache'], 'BYPASS')
  t.equal(r.headers['cache-status'], 'sipup; fwd=bypass; detail=context-unavailable')
})
