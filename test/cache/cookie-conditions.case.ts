// Cookie-name patterns in cache rules, for PHP apps whose cookies carry a per-site hash: a glob bypass, a glob
// session cookie for per-user entries, and vary globs that keep a commenter's pending comment and an unlocked
// protected page away from anonymous visitors.
import type http from 'node:http'
import t from '../helpers/cases.js'
import { setupCache, type Page } from './fixtures/setup.js'
import { PHP_HEADERS } from './fixtures/php.js'

/** A PHP page that renders whatever cookies it got, so any leak shows in the body. */
const echo: Page = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => {
  for (const [k, v] of Object.entries(PHP_HEADERS)) res.setHeader(k, v)
  res.end(`#${n} [${req.headers.cookie ?? ''}]`)
}

t.test('bypass on a cookie glob: a visitor with the hashed login cookie never gets or makes the shared page', async t => {
  const c = await setupCache(t, { '/post.php': echo }, {
    rules: [
      { name: 'logged-in', path: '/*', bypass: true, cookies: { present: ['wordpress_logged_in_*'] } },
      { name: 'posts', path: '/post.php', ttl: '10m', override: true }
    ]
  })
  const bob = await c.get('/post.php', { cookie: 'wordpress_logged_in_5f3a9c=bob' })
  t.equal(bob.headers['x-cache'], 'BYPASS')
  t.match(bob.body, /bob/)
  const anon = await c.get('/post.php')
  t.equal(anon.body, '#2 []', 'the anonymous page is its own')
  t.equal((await c.get('/post.php')).headers['x-cache'], 'HIT')
  const bob2 = await c.get('/post.php', { cookie: 'wordpress_logged_in_5f3a9c=bob' })
  t.equal(bob2.headers['x-cache'], 'BYPASS', 'and bob never gets the shared one')
})

t.test('vary.cookies globs: a commenter and an unlocked page each get their own entry', async t => {
  const c = await setupCache(t, { '/post.php': echo }, {
    rules: [{ name: 'posts', path: '/post.php', ttl: '10m', override: true, vary: { cookies: ['comment_author_*', 'wp-postpass_*'] } }]
  })
  const ann = await c.get('/post.php', { cookie: 'comment_author_5f3a=Ann; comment_author_email_5f3a=ann%40example.org' })
  t.match(ann.body, /ann%40example/)
  const anon = await c.get('/post.php')
  t.notMatch(anon.body, /Ann|ann%40/, 'the commenter\'s name and e-mail never reach anonymous visitors')
  const unlocked = await c.get('/post.php', { cookie: 'wp-postpass_5f3a=%24P%24hash' })
  t.match(unlocked.body, /postpass/)
  t.notMatch((await c.get('/post.php')).body, /postpass/)
  t.equal((await c.get('/post.php', { cookie: 'other=1' })).headers['x-cache'], 'HIT', 'unrelated cookies share the entry')
})

t.test('sessionCookie glob: per-user entries keyed on the hashed login cookie', async t => {
  const c = await setupCache(t, { '/account.php': echo }, {
    sessionCookie: ['SESS*'],
    rules: [{ name: 'account', path: '/account.php', ttl: '10m', override: true, scope: 'per-user' }]
  })
  t.match((await c.get('/account.php', { cookie: 'SESS5f3a=alice' })).body, /alice/)
  const bob = await c.get('/account.php', { cookie: 'SESS5f3a=bob' })
  t.match(bob.body, /bob/)
  t.notMatch(bob.body, /alice/)
  t.equal((await c.get('/account.php', { cookie: 'SESS5f3a=alice' })).headers['x-cache'], 'HIT')
  t.equal((await c.get('/account.php')).headers['x-cache'], 'BYPASS', 'no session: no per-user entry')
})
