// Text responses are stored once compressed (br, gzip) and served by Accept-Encoding with Vary: Accept-Encoding.
import t from '../helpers/cases.js'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { page, setupCache } from './fixtures/setup.js'

const html = '<html><body>' + '<p>a product description that compresses well</p>'.repeat(100) + '</body></html>'

t.test('br, gzip or identity by Accept-Encoding, all from one stored entry', async t => {
  const c = await setupCache(t, {
    '/page': page({ 'cache-control': 'max-age=60', 'content-type': 'text/html; charset=utf-8' }, html),
    '/img': page({ 'cache-control': 'max-age=60', 'content-type': 'image/png' }, 'x'.repeat(5000))
  })
  const miss = await c.get('/page', { 'accept-encoding': 'gzip, br' })
  // The miss is compressed on its way to the client by proxy.compression (after the cache's tee): the stored
  // copy stays identity, as the identity hit below shows.
  t.equal(miss.headers['content-encoding'], 'br', 'the miss is compressed on the way through')
  t.equal(brotliDecompressSync(miss.raw).toString(), html)
  t.equal(miss.headers.vary, 'Accept-Encoding')
  t.equal(c.origin.requests[0].headers['accept-encoding'], undefined, 'the origin is asked for identity')
  const br = await c.get('/page', { 'accept-encoding': 'gzip, deflate, br' })
  t.equal(br.headers['content-encoding'], 'br')
  t.equal(br.headers.vary, 'Accept-Encoding')
  t.equal(brotliDecompressSync(br.raw).toString(), html)
  t.equal(Number(br.headers['content-length']), br.raw.length)
  const gz = await c.get('/page', { 'accept-encoding': 'gzip' })
  t.equal(gz.headers['content-encoding'], 'gzip')
  t.equal(gunzipSync(gz.raw).toString(), html)
  const noBr = await c.get('/page', { 'accept-encoding': 'br;q=0, gzip;q=0.5' })
  t.equal(noBr.headers['content-encoding'], 'gzip')
  const plain = await c.get('/page', { 'accept-encoding': 'identity' })
  t.equal(plain.headers['content-encoding'], undefined)
  t.equal(plain.body, html)
  t.equal(plain.headers.vary, 'Accept-Encoding')
  t.equal(c.hits('/page'), 1)
  await c.get('/img')
  const img = await c.get('/img', { 'accept-encoding': 'br' })
  t.equal(img.headers['content-encoding'], undefined, 'images are not compressed')
})

t.test('a response the origin compressed itself is stored as is and varies on Accept-Encoding', async t => {
  const c = await setupCache(t, {
    '/gz': page({ 'cache-control': 'max-age=60', 'content-type': 'text/plain', 'content-encoding': 'gzip', vary: 'Accept-Encoding' }, 'not really gzip')
  }, { compression: { enabled: false } })
  await c.get('/gz', { 'accept-encoding': 'gzip' })
  const hit = await c.get('/gz', { 'accept-encoding': 'gzip' })
  t.equal(hit.headers['x-cache'], 'HIT')
  t.equal(hit.headers['content-encoding'], 'gzip')
  t.equal((await c.get('/gz', { 'accept-encoding': 'br' })).headers['x-cache'], 'MISS', 'another Accept-Encoding is another variant')
})
