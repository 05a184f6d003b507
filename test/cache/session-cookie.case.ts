// A visitor with a session is never taken for anonymous, whatever else the Cookie header holds: with an
// `override: true` anonymousOnly rule, that would store their private page as everyone's shared entry.
import type http from 'node:http'
import t from '../helpers/cases.js'
import { setupCache, type Page } from './fixtures/setup.js'
import { PHP_HEADERS } from './fixtures/php.js'

/** A PHP page that shows what PHP would: the session cookie's value, however the client hid it. */
const account: Page = (req: http.IncomingMessage, res: http.ServerResponse) => {
  for (const [k, v] of Object.entries(PHP_HEADERS)) res.setHeader(k, v)
  res.end(`account of [${req.headers.cookie ?? 'anonymous'}]`)
}

const rules = [{ name: 'account', path: '/account.php', ttl: '10m', override: true, anonymousOnly: true }]

for (const cookie of ['x_PHPSESSID=1; PHPSESSID=alice', 'a=1;PHPSESSID="alice"', 'PHPSESS%49D=alice', 'a=1; PHPSESSID =alice']) {
  t.test(`Cookie: ${cookie} counts as a session; the page is never the shared entry`, async t => {
    const c = await setupCache(t, { '/account.php': account }, { rules })
    const mine = await c.get('/account.php', { cookie })
    t.match(mine.body, /alice/)
    t.not(mine.headers['x-cache'], 'HIT')
    const anon = await c.get('/account.php')
    t.equal(anon.body, 'account of [anonymous]', 'the anonymous visitor gets their own page')
    t.equal(c.hits('/account.php'), 2)
    const again = await c.get('/account.php', { cookie })
    t.match(again.body, /alice/, 'and the logged-in user never gets the shared entry')
    t.not(again.headers['x-cache'], 'HIT')
  })
}
