// Pass-through compression (proxy.compression): responses the origin sent uncompressed are compressed on the
// way to the client, streamed, and the decompressed bytes are the origin's exactly.
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import http from 'node:http'
import { randomBytes } from 'node:crypto'
import { brotliDecompressSync, createGunzip, gunzipSync } from 'node:zlib'
import { Agent, request } from 'undici'
import { startOrigin, startSidecar, type Overrides } from '../helpers/sidecar.js'

const html = '<!doctype html><html><body>' + Array.from({ length: 400 }, (_, i) =>
  `<p class="item">Product ${i}: a description that compresses well, price ${(i * 1.37).toFixed(2)}</p>`).join('\n') +
  '</body></html>'

interface Answer { status: number, headers: http.IncomingHttpHeaders, raw: Buffer }

async function setup (t: Test, handler: http.RequestListener, overrides: Overrides = {}):
Promise<(path: string, headers?: Record<string, string>, method?: string) => Promise<Answer>> {
  const origin = await startOrigin(handler)
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, ...overrides })
  t.after(() => sidecar.close())
  const agent = new Agent({ connections: 4 })
  t.after(() => agent.close())
  return async (path, headers = {}, method = 'GET') => {
    const res = await request(sidecar.url + path, { method, headers, dispatcher: agent })
    const raw = Buffer.from(await res.body.arrayBuffer())
    return { status: res.statusCode, headers: res.headers as http.IncomingHttpHeaders, raw }
  }
}

function send (res: http.ServerResponse, headers: Record<string, string>, body: string | Buffer, status = 200): void {
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers })
  res.end(body)
}

const HTML = { 'content-type': 'text/html; charset=utf-8' }

t.test('an uncompressed HTML page comes back as br or gzip, bytes equal after decompression', async t => {
  const get = await setup(t, (_req, res) => send(res, { ...HTML, etag: '"v1"', 'accept-ranges': 'bytes', vary: 'Cookie' }, html))
  const br = await get('/page.php', { 'accept-encoding': 'gzip, deflate, br' })
  t.equal(br.status, 200)
  t.equal(br.headers['content-encoding'], 'br')
  t.equal(br.headers['content-length'], String(br.raw.length), 'a page up to 64 KB is compressed whole: its compressed length')
  t.equal(br.headers.vary, 'Cookie, Accept-Encoding', 'Vary merged')
  t.equal(br.headers.etag, 'W/"v1"', 'strong ETag weakened (RFC 9110 §8.8.1)')
  t.equal(br.headers['accept-ranges'], undefined, 'ranges of the identity body are not offered')
  t.ok(br.raw.length < Buffer.byteLength(html) / 3, `compressed: ${br.raw.length} of ${Buffer.byteLength(html)} bytes`)
  t.equal(brotliDecompressSync(br.raw).toString(), html)
  const gz = await get('/page.php', { 'accept-encoding': 'gzip' })
  t.equal(gz.headers['content-encoding'], 'gzip')
  t.equal(gunzipSync(gz.raw).toString(), html)
  const plain = await get('/page.php')
  t.equal(plain.headers['content-encoding'], undefined, 'no Accept-Encoding: identity')
  t.equal(plain.headers['content-length'], String(Buffer.byteLength(html)))
  t.equal(plain.headers.vary, 'Cookie, Accept-Encoding', 'Vary also on the identity answer')
  t.equal(plain.headers.etag, '"v1"')
  t.equal(plain.raw.toString(), html)
})

t.test('q-values and the offered codings decide', async t => {
  const get = await setup(t, (_req, res) => send(res, HTML, html))
  const cases: Array<[string, string | undefined]> = [
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0.5, br;q=0.8', 'br'],
    ['br;q=0.5, gzip;q=0.9', 'gzip'],
    ['gzip, br', 'br'],
    ['x-gzip', 'gzip'],
    ['*', 'br'],
    ['*;q=0.5, br;q=0', 'gzip'],
    ['gzip;q=0, br;q=0', undefined],
    ['identity', undefined],
    ['deflate', undefined]
  ]
  for (const [accept, expected] of cases) {
    const res = await get('/p.php', { 'accept-encoding': accept })
    t.equal(res.headers['content-encoding'], expected, `Accept-Encoding: ${accept}`)
    const body = expected === 'br' ? brotliDecompressSync(res.raw) : expected === 'gzip' ? gunzipSync(res.raw) : res.raw
    t.equal(body.toString(), html)
  }
})

t.test('proxy.compression.encodings limits the codings; enabled: false turns it off', async t => {
  const gzOnly = await setup(t, (_req, res) => send(res, HTML, html), { proxy: { compression: { encodings: ['gzip'] } } })
  t.equal((await gzOnly('/p.php', { 'accept-encoding': 'br, gzip' })).headers['content-encoding'], 'gzip')
  t.equal((await gzOnly('/p.php', { 'accept-encoding': 'br' })).headers['content-encoding'], undefined)
  const off = await setup(t, (_req, res) => send(res, HTML, html), { proxy: { compression: { enabled: false } } })
  const res = await off('/p.php', { 'accept-encoding': 'br, gzip' })
  t.equal(res.headers['content-encoding'], undefined)
  t.equal(res.headers.vary, undefined)
})

t.test('left alone: no-transform, images, small bodies, ranges, already encoded, HEAD, 204, 304', async t => {
  const png = randomBytes(8000)
  const gzipped = Buffer.from('pretend this is gzip, the sidecar must not touch it')
  const get = await setup(t, (req, res) => {
    switch (req.url) {
      case '/no-transform': send(res, { ...HTML, 'cache-control': 'public, no-transform' }, html); break
      case '/image': send(res, { 'content-type': 'image/png' }, png); break
      case '/small': send(res, HTML, '<p>short</p>'); break
      case '/small-chunked': res.writeHead(200, HTML); res.end('<p>short, no length</p>'); break
      case '/range': send(res, { ...HTML, 'content-range': `bytes 0-99/${html.length}` }, html.slice(0, 100), 206); break
      case '/encoded': send(res, { ...HTML, 'content-encoding': 'gzip' }, gzipped); break
      case '/empty': res.writeHead(204); res.end(); break
      case '/not-modified': res.writeHead(304, { etag: '"v1"' }); res.end(); break
      default: send(res, HTML, html)
    }
  })
  const ae = { 'accept-encoding': 'gzip, br' }
  const nt = await get('/no-transform', ae)
  t.equal(nt.headers['content-encoding'], undefined, 'Cache-Control: no-transform')
  t.equal(nt.raw.toString(), html)
  const img = await get('/image', ae)
  t.equal(img.headers['content-encoding'], undefined, 'image/png')
  t.same(img.raw, png)
  const small = await get('/small', ae)
  t.equal(small.headers['content-encoding'], undefined, 'below minSize by Content-Length')
  t.equal(small.raw.toString(), '<p>short</p>')
  const smallChunked = await get('/small-chunked', ae)
  t.equal(smallChunked.headers['content-encoding'], undefined, 'below minSize, ended before the origin paused')
  t.equal(smallChunked.headers['content-length'], String('<p>short, no length</p>'.length), 'sent with its length')
  t.equal(smallChunked.raw.toString(), '<p>short, no length</p>')
  const ranged = await get('/page', { ...ae, range: 'bytes=0-99' })
  t.equal(ranged.headers['content-encoding'], undefined, 'a Range request')
  t.equal(ranged.raw.toString(), html)
  const partial = await get('/range', ae)
  t.equal(partial.status, 206)
  t.equal(partial.headers['content-encoding'], undefined, 'a 206')
  const enc = await get('/encoded', ae)
  t.equal(enc.headers['content-encoding'], 'gzip')
  t.same(enc.raw, gzipped, 'already encoded: passed through untouched')
  const head = await get('/page', ae, 'HEAD')
  t.equal(head.headers['content-encoding'], undefined, 'HEAD')
  t.equal(head.headers['content-length'], String(Buffer.byteLength(html)))
  t.equal((await get('/empty', ae)).status, 204)
  const nm = await get('/not-modified', ae)
  t.equal(nm.status, 304)
  t.equal(nm.headers['content-encoding'], undefined)
})

t.test('a big chunked page streams through gzip: every byte arrives, nothing is buffered whole', async t => {
  const parts = Array.from({ length: 300 }, (_, i) => `<section id="s${i}">${'<p>streamed row</p>'.repeat(200)}${randomBytes(64).toString('hex')}</section>\n`)
  const get = await setup(t, (_req, res) => {
    res.writeHead(200, HTML)
    let i = 0
    const next = (): void => {
      while (i < parts.length) {
        if (!res.write(parts[i++])) { res.once('drain', next); return }
        if (i % 20 === 0) { setImmediate(next); return }
      }
      res.end()
    }
    next()
  })
  const res = await get('/big.php', { 'accept-encoding': 'gzip' })
  t.equal(res.headers['content-encoding'], 'gzip')
  t.equal(res.headers['transfer-encoding'], 'chunked')
  const body = gunzipSync(res.raw).toString()
  t.equal(body.length, parts.join('').length)
  t.ok(body === parts.join(''), 'decompressed bytes equal the origin\'s')
})

t.test('a page over 64 KB with a Content-Length is streamed through the compressor, not held', async t => {
  const big = html.repeat(8)
  const get = await setup(t, (_req, res) => send(res, { ...HTML, etag: '"big"' }, big))
  for (const enc of ['br', 'gzip']) {
    const res = await get('/big.php', { 'accept-encoding': enc })
    t.equal(res.headers['content-encoding'], enc)
    t.equal(res.headers['content-length'], undefined, 'sent chunked: its compressed length is not known up front')
    t.equal(res.headers.etag, 'W/"big"')
    t.equal((enc === 'br' ? brotliDecompressSync(res.raw) : gunzipSync(res.raw)).toString(), big)
  }
})

t.test('a page the origin flushes in parts reaches the client in parts (zlib flushed when the origin pauses)', async t => {
  let release: () => void = () => {}
  const clientHasHead = new Promise<void>(resolve => { release = resolve })
  // Below minSize on purpose: without a Content-Length the size is judged when the origin pauses, and a page
  // still going then is compressed.
  const head = '<!doctype html><html><head><title>shop</title></head>'
  const origin = await startOrigin((_req, res) => {
    res.writeHead(200, HTML)
    res.write(head)
    clientHasHead.then(() => res.end(html), () => res.end())
  })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => sidecar.close())
  const res = await request(`${sidecar.url}/stream.php`, { headers: { 'accept-encoding': 'gzip' } })
  t.equal(res.headers['content-encoding'], 'gzip')
  const gunzip = createGunzip()
  let text = ''
  const done = new Promise<void>((resolve, reject) => {
    gunzip.on('data', (c: Buffer) => {
      text += c.toString()
      if (text === head) release()
    })
    gunzip.on('end', resolve)
    gunzip.on('error', reject)
  })
  // Fails by the test timeout if the head never decompresses before the origin sends the rest.
  res.body.pipe(gunzip)
  await done
  t.equal(text, head + html)
})
