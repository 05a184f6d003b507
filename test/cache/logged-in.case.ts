// cache.loggedIn: PHP gives every visitor a PHPSESSID on the first page, so "has a session" is not "logged in".
// A visitor holding only a fresh session is served the shared anonymous page; a logged-in user never is, and
// their page never becomes the shared entry.
import type http from 'node:http'
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import { setupCache, type Page } from './fixtures/setup.js'
import { PHP_HEADERS, session } from './fixtures/php.js'

/** Sessions `user-*` are logged in (the app knows from its session store); every other one is anonymous. */
const loggedIn = (req: http.IncomingMessage): boolean => (session(req) ?? '').startsWith('user-')

const product: Page = (req, res, n) => {
  for (const [k, v] of Object.entries(PHP_HEADERS)) res.setHeader(k, v)
  if (session(req) === undefined) res.setHeader('set-cookie', `PHPSESSID=anon${n}; path=/`)
  res.end(loggedIn(req) ? `welcome ${session(req) ?? ''} #${n}` : `anonymous product page #${n}`)
}

const rules = [{ name: 'products', path: '/product.php', ttl: '30m', override: true, anonymousOnly: true, stripSetCookie: true }]

async function check (t: Test, c: Awaited<ReturnType<typeof setupCache>>, loginCookie: string): Promise<void> {
  const first = await c.get('/product.php?id=1')
  t.equal(first.body, 'anonymous product page #1')
  const withSession = await c.get('/product.php?id=1', { cookie: 'PHPSESSID=anon1' })
  t.equal(withSession.headers['x-cache'], 'HIT', 'a visitor holding only PHPSESSID gets the shared entry')
  t.equal(withSession.body, 'anonymous product page #1')
  const user = await c.get('/product.php?id=1', { cookie: loginCookie })
  t.equal(user.body, 'welcome user-alice #2', 'a logged-in user never gets the shared entry')
  t.not(user.headers['x-cache'], 'HIT')
  const user2 = await c.get('/product.php?id=1', { cookie: loginCookie })
  t.equal(user2.body, 'welcome user-alice #3')
  t.equal((await c.get('/product.php?id=1', { cookie: 'PHPSESSID=anon7' })).body, 'anonymous product page #1',
    'and their page never became the shared entry')
}

t.test('loggedIn.cookies: a flag cookie set at login marks logged-in visitors', async t => {
  const c = await setupCache(t, { '/product.php': product }, { loggedIn: { cookies: ['logged_in'] }, rules })
  await check(t, c, 'PHPSESSID=user-alice; logged_in=1')
})

t.test('loggedIn.anonymousContext: the context endpoint tells anonymous sessions apart', async t => {
  const c = await setupCache(t, {
    '/product.php': product,
    '/sidecar-context.php': (req, res) => {
      res.setHeader('cache-control', 'no-store')
      res.setHeader('x-user-context-hash', loggedIn(req) ? `group-of-${session(req) ?? ''}` : 'anon-hash')
      res.end()
    }
  }, { loggedIn: { anonymousContext: 'anon-hash' }, rules })
  await check(t, c, 'PHPSESSID=user-alice')
})

t.test('without loggedIn, any session cookie counts as logged in (the old behaviour)', async t => {
  const c = await setupCache(t, { '/product.php': product }, { rules })
  await c.get('/product.php?id=1')
  t.not((await c.get('/product.php?id=1', { cookie: 'PHPSESSID=anon1' })).headers['x-cache'], 'HIT')
})

t.test('a session without the logged-in flag never makes its page the shared entry: the origin is asked without it', async t => {
  const c = await setupCache(t, { '/product.php': product }, { loggedIn: { cookies: ['logged_in'] }, rules })
  const bob = await c.get('/product.php?id=2', { cookie: 'PHPSESSID=user-bob; theme=dark' })
  t.equal(bob.body, 'anonymous product page #1', 'rendered for nobody')
  t.equal(bob.headers['set-cookie'], undefined, 'and bob keeps his session cookie')
  t.equal(c.origin.requests[0].headers.cookie, 'theme=dark', 'only the session cookie was left out')
  t.equal((await c.get('/product.php?id=2')).body, 'anonymous product page #1')
})

t.test('without a rule that reads cookies or identity, the context endpoint is never asked and cookies change nothing', async t => {
  let asked = 0
  const c = await setupCache(t, {
    '/product.php': (_req, res, n) => { res.end(`shared page #${n}`) },
    '/sidecar-context.php': (_req, res) => {
      asked++
      res.setHeader('cache-control', 'no-store')
      res.setHeader('x-user-context-hash', 'anon-hash')
      res.end()
    }
  }, { loggedIn: { anonymousContext: 'anon-hash' }, rules: [{ name: 'products', path: '/product.php', ttl: '30m', override: true }] })
  t.equal((await c.get('/product.php?id=1')).body, 'shared page #1')
  const withCookies = await c.get('/product.php?id=1', { cookie: 'PHPSESSID=user-alice; theme=dark' })
  t.equal(withCookies.headers['x-cache'], 'HIT', 'a shared rule answers every visitor alike')
  t.equal(withCookies.body, 'shared page #1')
  t.equal(asked, 0, 'nobody reads whether the visitor is logged in')
})
