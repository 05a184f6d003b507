import t from 'tap'
import { Readable } from 'node:stream'
import { Agent, request } from 'undici'
import { startLegacyApp } from '../../examples/legacy-app/shop.js'

const FAST = { minDelayMs: 0, maxDelayMs: 1, searchMinDelayMs: 0, searchMaxDelayMs: 1 }

async function get (url: string, dispatcher: Agent, headers: Record<string, string> = {}) {
  const res = await request(url, { dispatcher, headers })
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
}

function sessionId (setCookie: string | string[] | undefined): string | undefined {
  const first = Array.isArray(setCookie) ? setCookie[0] : setCookie
  return /PHPSESSID=([0-9a-v]{26}); path=\//.exec(first ?? '')?.[1]
}

t.test('PHP pages send the no-cache headers and start a session only when the request has none', async t => {
  const app = await startLegacyApp({ port: 0, ...FAST })
  t.after(() => app.close())
  const agent = new Agent()
  t.after(() => agent.close())

  const first = await get(`${app.url}/catalog.php?category=tools&page=1`, agent)
  t.equal(first.status, 200)
  t.equal(first.headers['cache-control'], 'no-store, no-cache, must-revalidate')
  t.equal(first.headers.pragma, 'no-cache')
  t.equal(first.headers.expires, 'Thu, 19 Nov 1981 08:52:00 GMT')
  const sid = sessionId(first.headers['set-cookie'])
  t.ok(sid, 'Set-Cookie: PHPSESSID=<26 chars>; path=/')
  t.match(first.body, /Catalog: tools/)

  const second = await get(`${app.url}/product.php?id=7`, agent, { cookie: `PHPSESSID=${sid ?? ''}` })
  t.equal(second.status, 200)
  t.equal(second.headers['set-cookie'], undefined, 'no new session when the cookie is sent')

  const missing = await get(`${app.url}/product.php?id=501`, agent)
  t.equal(missing.status, 404)
  t.equal(missing.headers['cache-control'], 'no-store, no-cache, must-revalidate')
  t.equal(app.stats.byPath.get('/product.php'), 2)
})

t.test('login: bad credentials get 401, good ones a new session, a dashboard and price-group prices', async t => {
  const app = await startLegacyApp({ port: 0, ...FAST })
  t.after(() => app.close())
  const agent = new Agent()
  t.after(() => agent.close())

  const anonDashboard = await get(`${app.url}/dashboard.php`, agent)
  t.equal(anonDashboard.status, 302)
  t.equal(anonDashboard.headers.location, '/login.php')

  const post = (body: string) => request(`${app.url}/login.php`, {
    dispatcher: agent, method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' }
  })
  const bad = await post('username=user5&password=wrong')
  t.equal(bad.statusCode, 401)
  t.match(await bad.body.text(), /wrong password/)

  const good = await post('username=user5&password=secret')
  await good.body.dump()
  t.equal(good.statusCode, 302)
  t.equal(good.headers.location, '/dashboard.php')
  const sid = sessionId(good.headers['set-cookie'])
  t.ok(sid, 'login sets a fresh session cookie')
  t.match(good.headers['set-cookie'], ['PHPSESSID=', 'logged_in=1; path=/'], 'and the logged_in flag for the sidecar')
  const cookie = { cookie: `PHPSESSID=${sid ?? ''}` }

  const dashboard = await get(`${app.url}/dashboard.php`, agent, cookie)
  t.equal(dashboard.status, 200)
  t.match(dashboard.body, /user5/)
  t.match(dashboard.body, /price group is <strong>C<\/strong>/, 'user5: 5 % 3 = 2 -> group C')

  const anonApi = JSON.parse((await get(`${app.url}/api/products.php?id=3`, agent)).body) as { priceCents: number }
  const userApi = JSON.parse((await get(`${app.url}/api/products.php?id=3`, agent, cookie)).body) as { priceCents: number, priceGroup: string }
  t.equal(userApi.priceGroup, 'C')
  t.ok(userApi.priceCents < anonApi.priceCents, 'group C pays less than the list price')

  const anonCtx = await get(`${app.url}/sidecar-context.php`, agent)
  const userCtx = await get(`${app.url}/sidecar-context.php`, agent, cookie)
  t.equal(anonCtx.headers['x-user-context-hash'], 'anonymous')
  t.match(userCtx.headers['x-user-context-hash'], /^[0-9a-f]{32}$/)
  t.equal(userCtx.headers['cache-control'], 'private')

  const logout = await get(`${app.url}/logout.php`, agent, cookie)
  t.equal(logout.status, 302)
  t.match(logout.headers['set-cookie'], [/^PHPSESSID=deleted/, /^logged_in=deleted/], 'logout removes the flag too')
  t.equal((await get(`${app.url}/dashboard.php`, agent, cookie)).status, 302, 'the session is gone after logout')
})

t.test('static assets are cacheable and answer If-None-Match with 304', async t => {
  const app = await startLegacyApp({ port: 0, ...FAST })
  t.after(() => app.close())
  const agent = new Agent()
  t.after(() => agent.close())

  const css = await get(`${app.url}/static/app.css`, agent)
  t.equal(css.status, 200)
  t.equal(css.headers['cache-control'], 'public, max-age=86400')
  t.ok(css.headers['last-modified'])
  const etag = css.headers.etag as string
  t.match(etag, /^"[0-9a-f]+"$/)
  const again = await get(`${app.url}/static/app.css`, agent, { 'if-none-match': etag })
  t.equal(again.status, 304)
  t.equal(again.body, '')
})

t.test('/echo streams the request body and reports its length; /fast is a constant 4 KB page', async t => {
  const app = await startLegacyApp({ port: 0, ...FAST })
  t.after(() => app.close())
  const agent = new Agent()
  t.after(() => agent.close())

  async function * chunks () {
    for (let i = 0; i < 64; i++) yield Buffer.alloc(16 * 1024, i)
  }
  const res = await request(`${app.url}/echo?x=1`, { dispatcher: agent, method: 'PUT', body: Readable.from(chunks()), headers: { 'x-test': 'yes' } })
  const echoed = await res.body.json() as { method: string, path: string, bodyLength: number, headers: Record<string, string> }
  t.same({ method: echoed.method, path: echoed.path, bodyLength: echoed.bodyLength, xTest: echoed.headers['x-test'] },
    { method: 'PUT', path: '/echo', bodyLength: 1024 * 1024, xTest: 'yes' })

  const fast = await get(`${app.url}/fast`, agent)
  t.equal(fast.status, 200)
  t.equal(Buffer.byteLength(fast.body), 4096)
})

t.test('maxChildren: requests beyond it wait in the queue, never more than maxChildren run at once', async t => {
  const app = await startLegacyApp({ port: 0, maxChildren: 2, minDelayMs: 300, maxDelayMs: 300 })
  t.after(() => app.close())
  const agent = new Agent({ connections: 8 })
  t.after(() => agent.close())

  const pending = [1, 2, 3, 4].map(id => get(`${app.url}/product.php?id=${id}`, agent))
  // Wait for all four to arrive (an event the stats expose), then look at the pool.
  while (app.stats.requests < 4) await new Promise(resolve => setImmediate(resolve))
  t.ok(app.stats.inFlight <= 2, `inFlight ${app.stats.inFlight} <= 2`)
  t.equal(app.stats.queued, 4 - app.stats.inFlight, 'the rest wait in the queue (each page takes 300 ms)')

  const results = await Promise.all(pending)
  t.same(results.map(r => r.status), [200, 200, 200, 200])
  t.equal(app.stats.peakInFlight, 2, 'the peak is exactly maxChildren')
  t.equal(app.stats.inFlight, 0)
  t.equal(app.stats.queued, 0)
})
