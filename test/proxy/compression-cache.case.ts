// Pass-through compression with the cache on: the cache tees the origin's identity body before the proxy
// compresses it for the client, so what is stored (and every hit) stays right.
import t from '../helpers/cases.js'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { request } from 'undici'
import { page, setupCache } from '../cache/fixtures/setup.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

const html = '<html><body>' + '<p>a cached product page that compresses well</p>'.repeat(200) + '</body></html>'

t.test('a miss is compressed for the client, the stored copy stays identity and hits are served right', async t => {
  const c = await setupCache(t, {
    '/page': page({ 'cache-control': 'max-age=60', 'content-type': 'text/html', etag: '"e1"' }, html)
  })
  const miss = await c.get('/page', { 'accept-encoding': 'gzip' })
  t.equal(miss.headers['x-cache'], 'MISS')
  t.equal(miss.headers['content-encoding'], 'gzip')
  t.equal(miss.headers.vary, 'Accept-Encoding', 'one Vary: Accept-Encoding, not two')
  t.equal(miss.headers.etag, 'W/"e1"')
  t.equal(gunzipSync(miss.raw).toString(), html)
  const identity = await c.get('/page')
  t.equal(identity.headers['x-cache'], 'HIT')
  t.equal(identity.headers['content-encoding'], undefined)
  t.equal(identity.body, html, 'the stored body is the origin\'s identity body')
  t.equal(identity.headers['content-length'], String(html.length))
  const br = await c.get('/page', { 'accept-encoding': 'br' })
  t.equal(br.headers['x-cache'], 'HIT')
  t.equal(br.headers['content-encoding'], 'br')
  t.equal(brotliDecompressSync(br.raw).toString(), html)
  t.equal(c.hits('/page'), 1, 'one origin request')
})

t.test('the cache off for compression: the miss is still compressed on the way through, hits stay identity', async t => {
  const c = await setupCache(t, {
    '/page': page({ 'cache-control': 'max-age=60', 'content-type': 'text/html' }, html)
  }, { compression: { enabled: false } })
  const miss = await c.get('/page', { 'accept-encoding': 'br' })
  t.equal(miss.headers['content-encoding'], 'br')
  t.equal(brotliDecompressSync(miss.raw).toString(), html)
  t.equal(c.origin.requests[0].headers['accept-encoding'], 'br', 'the client\'s Accept-Encoding reached the origin')
})

t.test('a client that goes away mid-body leaves the proxy serving', async t => {
  let sent = 0
  const origin = await startOrigin((req, res) => {
    if (req.url === '/ok') { res.writeHead(200, { 'content-type': 'text/html' }); res.end(html); return }
    res.writeHead(200, { 'content-type': 'text/html' })
    const timer = setInterval(() => { res.write(html); sent++ }, 5)
    res.on('close', () => clearInterval(timer))
  })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => sidecar.close())
  const ac = new AbortController()
  const res = await request(`${sidecar.url}/endless`, { headers: { 'accept-encoding': 'br' }, signal: ac.signal })
  t.equal(res.headers['content-encoding'], 'br')
  await new Promise<void>(resolve => { res.body.once('data', () => resolve()) })
  ac.abort()
  await res.body.text().catch(() => null)
  t.ok(sent > 0)
  const ok = await request(`${sidecar.url}/ok`, { headers: { 'accept-encoding': 'gzip' } })
  t.equal(gunzipSync(Buffer.from(await ok.body.arrayBuffer())).toString(), html)
})
