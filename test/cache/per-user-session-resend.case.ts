// scope: per-user and PHP's `session.cookie_lifetime > 0`: session_start() re-sends the session cookie on every
// page. That response is still the requester's own page, so it is stored (without the Set-Cookie); any other
// Set-Cookie (a new id, another cookie, a deletion) still keeps it out of the cache.
import type http from 'node:http'
import t from '../helpers/cases.js'
import { setupCache, type Page } from './fixtures/setup.js'
import { PHP_HEADERS, session } from './fixtures/php.js'

/** session_start() with cookie_lifetime=3600, then whatever extra cookies `extra` sets. */
function lifetimePage (extra: (sid: string, n: number) => string[] = () => []): Page {
  return (req: http.IncomingMessage, res: http.ServerResponse, n: number) => {
    for (const [k, v] of Object.entries(PHP_HEADERS)) res.setHeader(k, v)
    const sid = session(req) ?? `new${n}`
    const expires = new Date(Date.now() + 3600_000).toUTCString()
    res.setHeader('set-cookie', [`PHPSESSID=${sid}; expires=${expires}; Max-Age=3600; path=/`, ...extra(sid, n)])
    res.end(`dashboard of ${sid} #${n}`)
  }
}

const rules = [{ name: 'dashboard', path: '/*', ttl: '2m', override: true, scope: 'per-user' }]

t.test('a page that only re-sends the requester\'s own session cookie is stored per user, without it', async t => {
  const c = await setupCache(t, { '/dashboard.php': lifetimePage() }, { rules })
  const miss = await c.get('/dashboard.php', { cookie: 'theme=dark; PHPSESSID=alice' })
  t.equal(miss.body, 'dashboard of alice #1')
  t.match(miss.headers['set-cookie'], /^PHPSESSID=alice; expires=/, 'the client still gets its cookie refreshed')
  const hit = await c.get('/dashboard.php', { cookie: 'PHPSESSID=alice' })
  t.equal(hit.headers['x-cache'], 'HIT')
  t.equal(hit.body, 'dashboard of alice #1')
  t.equal(hit.headers['set-cookie'], undefined, 'never stored')
  const bob = await c.get('/dashboard.php', { cookie: 'PHPSESSID=bob' })
  t.equal(bob.body, 'dashboard of bob #2', 'still per user')
})

for (const [name, page] of [
  ['a regenerated session id', lifetimePage((_sid, n) => [`PHPSESSID=regen${n}; path=/`])],
  ['another cookie', lifetimePage(() => ['cart=3; path=/'])],
  ['a deletion of the session cookie', lifetimePage(sid => [`PHPSESSID=${sid}; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0; path=/`])]
] as const) {
  t.test(`${name} next to it keeps the page out of the cache`, async t => {
    const c = await setupCache(t, { '/dashboard.php': page }, { rules })
    await c.get('/dashboard.php', { cookie: 'PHPSESSID=alice' })
    const again = await c.get('/dashboard.php', { cookie: 'PHPSESSID=alice' })
    t.equal(again.headers['x-cache'], 'MISS')
    t.equal(c.hits('/dashboard.php'), 2)
  })
}
