// End to end in front of the real PHP shop (examples/legacy-php on MariaDB), through the sidecar with
// config/examples/legacy-php.yaml: PHP's own session headers on every page, customer-group prices, per-user
// dashboards, the login limit, purges by tag from the PHP admin across two sidecar instances, a multi-MB upload.
import { createHash, randomBytes } from 'node:crypto'
import t from 'tap'
import { CacheSchema } from '../../src/plugins/cache/schema.js'
import { Browser, closeAgent, priceOf, startShopStack, warm, xcache } from './shop-stack.js'

// Issue 13 adds `cache.loggedIn`; where it exists, the shop's `logged_in` flag cookie marks logged-in visitors.
const HAS_LOGGED_IN = 'loggedIn' in CacheSchema.properties

t.teardown(closeAgent)

const stack = await startShopStack(t, 'cache', {
  instances: 2,
  overrides: {
    ...(HAS_LOGGED_IN ? { cache: { loggedIn: { cookies: ['logged_in'] } } } : {}),
    rateLimit: {
      // The config's login rule, with a window a test can wait out (3 attempts, then one a second).
      rules: [{ name: 'login', methods: ['POST'], path: '/login.php', limit: 3, window: '3s' }]
    }
  }
})

let ipSeq = 0
/** A visitor with an IP of its own (X-Forwarded-For from loopback is trusted), so logins don't share a limit. */
const visitor = (base: string): Browser => new Browser(base, `10.14.${Math.floor(++ipSeq / 250)}.${ipSeq % 250 + 1}`)

if (stack !== null) {
  const { url, php } = stack
  const second = stack.sidecars[1].url
  const PAGES = ['/', ...[1, 2, 3, 4, 5].map(c => `/catalog.php?cat=${c}`), ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map(p => `/product.php?id=${p}`)]

  t.test('anonymous catalog and product pages are cached despite PHP\'s session headers', async t => {
    const direct = await new Browser(php.url).get('/product.php?id=1')
    t.match(String(direct.headers['set-cookie']), /PHPSESSID=/, 'PHP starts a session on the page')
    t.match(String(direct.headers['cache-control']), /no-store, no-cache, must-revalidate/, 'and sends its no-cache headers')
    t.match(String(direct.headers.expires), /1981/)

    for (const p of PAGES) t.ok(await warm(new Browser(url), p), `warm-up: ${p}`)
    let hits = 0
    let total = 0
    let cookies = 0
    for (let pass = 0; pass < 3; pass++) {
      for (const p of PAGES) {
        const a = await new Browser(url).get(p)
        t.equal(a.status, 200)
        total++
        if (xcache(a) === 'HIT') hits++
        if (a.headers['set-cookie'] !== undefined) cookies++
      }
    }
    t.comment(`anonymous hit ratio after warm-up: ${hits}/${total} = ${(100 * hits / total).toFixed(1)} %`)
    t.ok(hits / total >= 0.95, `hit ratio ${hits}/${total}`)
    t.equal(cookies, 0, 'no shared answer hands out a session cookie')
  })

  t.test('visitors who got a PHPSESSID but never logged in count as anonymous', async t => {
    const holders = [visitor(url), visitor(url)]
    for (const h of holders) {
      await h.get('/login.php') // the bypassed login page starts their session
      t.ok(h.cookies.has('PHPSESSID'), 'holds a session')
    }
    // Today: they go to the context rule, whose endpoint answers the "anonymous" hash, so they share one entry.
    for (const p of PAGES) t.ok(await warm(holders[0], p), `the first holder's copy of ${p}`)
    let hits = 0
    for (const p of PAGES) {
      const a = await holders[1].get(p)
      if (xcache(a) === 'HIT') hits++
      t.match(a.body, /Prices for: Retail/, 'list prices')
    }
    t.equal(hits, PAGES.length, 'a second session holder is served the pages the first one fetched')

    if (!HAS_LOGGED_IN) {
      t.pass('cache.loggedIn', {
        skip: 'cache.loggedIn is not in this build (issue 13, anonymous detection, has not landed): a session holder ' +
          'still misses the shared anonymous entry and only shares the context rule\'s "anonymous" entry'
      })
      return
    }
    const late = visitor(url)
    await late.get('/login.php')
    let shared = 0
    for (const p of PAGES) if (xcache(await late.get(p)) === 'HIT') shared++
    t.equal(shared, PAGES.length, 'with cache.loggedIn, a fresh session holder hits the entries warmed by visitors without a session')
  })

  t.test('a customer group shares catalog pages; another group never sees its prices', async t => {
    const anon = await new Browser(url).get('/catalog.php?cat=7')
    const ids = [...anon.body.matchAll(/data-product="(\d+)">([0-9.]+) EUR/g)].map(m => ({ id: Number(m[1]), list: Number(m[2]) }))
    t.ok(ids.length >= 10, 'the category lists products')
    const gold = [visitor(url), visitor(url)]
    const silver = visitor(url)
    await gold[0].login('user3')
    await gold[1].login('user7')
    await silver.login('user2')
    const g0 = await gold[0].get('/catalog.php?cat=7')
    t.ok(await warm(gold[0], '/catalog.php?cat=7'), 'the first Gold customer\'s copy is stored')
    const g1 = await gold[1].get('/catalog.php?cat=7')
    const s0 = await silver.get('/catalog.php?cat=7')
    t.equal(xcache(g1), 'HIT', 'the second Gold customer is served the first one\'s page')
    t.equal(g1.body, g0.body)
    t.not(xcache(s0), 'HIT', 'the Silver customer is not')
    t.match(g0.body, /Prices for: Gold/)
    t.match(s0.body, /Prices for: Silver/)
    t.notMatch(s0.body, /Gold/, 'no Gold text on the Silver page')
    for (const { id, list } of ids) {
      t.equal(priceOf(g0.body, id), (Math.round(list * 80) / 100).toFixed(2), `Gold price of ${id}`)
      t.equal(priceOf(s0.body, id), (Math.round(list * 90) / 100).toFixed(2), `Silver price of ${id}`)
    }
    // The product page too, and the anonymous copy stays the list price.
    const gp = await gold[1].get(`/product.php?id=${ids[0].id}`)
    const sp = await silver.get(`/product.php?id=${ids[0].id}`)
    t.equal(priceOf(gp.body, ids[0].id), (Math.round(ids[0].list * 80) / 100).toFixed(2))
    t.equal(priceOf(sp.body, ids[0].id), (Math.round(ids[0].list * 90) / 100).toFixed(2))
    t.equal(priceOf((await new Browser(url).get('/catalog.php?cat=7')).body, ids[0].id), ids[0].list.toFixed(2))
  })

  t.test('a dashboard is never served to another user or to an anonymous visitor', async t => {
    const users = [1, 2, 3, 4, 5, 6].map(n => ({ id: n, b: visitor(url) }))
    for (const u of users) t.equal((await u.b.login(`user${u.id}`)).status, 303)
    const anonymous = new Browser(url)
    const holder = visitor(url)
    await holder.get('/login.php')
    let leaks = 0
    let served = 0
    let hits = 0
    for (let i = 0; i < 120; i++) {
      const pick = (i * 7919) % (users.length + 2)
      if (pick < users.length) {
        const u = users[pick]
        const a = await u.b.get('/dashboard.php')
        const who = [...a.body.matchAll(/data-user="(\d+)"/g)].map(m => Number(m[1]))
        if (a.status !== 200 || who.length !== 1 || who[0] !== u.id) leaks++
        served++
        if (xcache(a) === 'HIT') hits++
      } else {
        const a = await (pick === users.length ? anonymous : holder).get('/dashboard.php')
        if (a.status === 200 || /data-user=/.test(a.body)) leaks++
      }
    }
    t.comment(`${served} dashboards served, ${hits} from the per-user cache`)
    t.equal(leaks, 0, '0 leaks in 120 mixed requests')
    t.ok(hits > 0, 'dashboards were cached (per user)')
  })

  t.test('the login is rate-limited after the configured attempts, and works again after the window', async t => {
    const b = visitor(url)
    for (let i = 0; i < 3; i++) {
      const a = await b.post('/login.php', { username: 'user9', password: 'wrong' })
      t.equal(a.status, 200, `attempt ${i + 1} reaches PHP`)
      t.match(a.body, /Wrong user name or password/)
    }
    const limited = await b.post('/login.php', { username: 'user9', password: 'secret' })
    t.equal(limited.status, 429)
    const retry = Number(limited.headers['retry-after'])
    t.ok(retry >= 1 && retry <= 3, `Retry-After: ${String(limited.headers['retry-after'])}`)
    await new Promise(resolve => setTimeout(resolve, retry * 1000 + 100))
    const ok = await b.login('user9')
    t.equal(ok.status, 303, 'logged in after Retry-After')
    t.equal(ok.headers.location, '/dashboard.php')
  })

  t.test('editing a price purges its pages, on a second sidecar instance too', async t => {
    const P = 1002 // category 1 + 1002 % 40 = 3, first on that category's first page
    const pages = [`/product.php?id=${P}`, '/catalog.php?cat=3']
    const gold = visitor(second)
    await gold.login('user11') // Gold, on the second instance
    for (const base of [url, second]) {
      for (const p of pages) {
        t.ok(await warm(new Browser(base), p), `${p} cached on ${base === url ? 'the first' : 'the second'} instance`)
      }
    }
    t.ok(await warm(gold, pages[0]), 'the Gold copy is cached too')

    const admin = visitor(url)
    t.equal((await admin.login('admin')).status, 303)
    const price = (100 + randomBytes(1)[0] / 10).toFixed(2)
    const saved = await admin.post('/admin/product.php', { id: String(P), price, stock: '7' })
    t.equal(saved.status, 303)
    t.ok(Number(saved.headers['x-shop-purged']) >= 0, `the PHP admin reached the purge API (purged ${String(saved.headers['x-shop-purged'])})`)

    for (const base of [url, second]) {
      const a = await new Browser(base).get(pages[0])
      t.equal(priceOf(a.body, P), price, `new list price on ${base === url ? 'the first' : 'the second'} instance`)
      const c = await new Browser(base).get(pages[1])
      t.equal(priceOf(c.body, P), price, 'and on the catalog page that lists it')
    }
    t.equal(priceOf((await gold.get(pages[0])).body, P), (Math.round(Number(price) * 80) / 100).toFixed(2), 'the Gold copy was purged too')
  })

  t.test('a CSV upload of several MB passes intact (checksum on the PHP side)', async t => {
    const b = visitor(url)
    await b.login('user12')
    const rows: string[] = ['sku;price;note']
    let size = 0
    for (let i = 1; size < 6 * 1024 * 1024; i++) {
      const row = `SKU-${String(i).padStart(6, '0')};${(i % 997) + 0.5};${randomBytes(24).toString('base64')}`
      rows.push(row)
      size += row.length + 1
    }
    const csv = Buffer.from(rows.join('\n') + '\n')
    const sha = createHash('sha256').update(csv).digest('hex')
    const boundary = '----sipup' + randomBytes(8).toString('hex')
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nweekly list\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="pricelist"; filename="prices.csv"\r\nContent-Type: text/csv\r\n\r\n`),
      csv,
      Buffer.from(`\r\n--${boundary}--\r\n`)
    ])
    const a = await b.send('POST', '/upload.php', { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, accept: 'application/json' } })
    t.equal(a.status, 200, a.body.slice(0, 200))
    const r = JSON.parse(a.body) as { bytes: number, sha256: string, lines: number, note: string }
    t.equal(r.bytes, csv.length, `${(csv.length / 1048576).toFixed(1)} MB received`)
    t.equal(r.sha256, sha, 'PHP\'s checksum of what it received is the client\'s')
    t.equal(r.lines, rows.length)
    t.equal(r.note, 'weekly list')
    const [stored] = await import('mysql2/promise').then(async m => {
      const c = await m.createConnection({ uri: stack.db.url })
      try { return (await c.query('SELECT sha256, bytes FROM price_uploads ORDER BY id DESC LIMIT 1'))[0] as { sha256: string, bytes: number }[] } finally { await c.end() }
    })
    t.same(stored, { sha256: sha, bytes: csv.length }, 'recorded by the shop')
  })
}
