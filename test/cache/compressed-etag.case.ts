// A cache hit answered from a stored compressed copy (br, gzip) carries a weak ETag, as a compressed miss through
// proxy.compression does (RFC 9110 §8.8.1); If-None-Match compares weakly, so either form gets a 304, and the 304
// carries the ETag and Vary the 200 would have.
import t from '../helpers/cases.js'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { page, setupCache } from './fixtures/setup.js'

const html = '<html><body>' + '<p>a cached product page that compresses well</p>'.repeat(100) + '</body></html>'
const PAGE = page({ 'cache-control': 'max-age=60', 'content-type': 'text/html', etag: '"e1"' }, html)

t.test('compressed hits send W/ of the stored ETag, identity hits the ETag itself', async t => {
  const c = await setupCache(t, { '/p': PAGE })
  const miss = await c.get('/p', { 'accept-encoding': 'br' })
  t.equal(miss.headers['x-cache'], 'MISS')
  t.equal(miss.headers.etag, 'W/"e1"', 'the compressed miss (proxy.compression)')
  const br = await c.get('/p', { 'accept-encoding': 'br' })
  t.equal(br.headers['x-cache'], 'HIT')
  t.equal(br.headers['content-encoding'], 'br')
  t.equal(br.headers.etag, 'W/"e1"', 'the br hit: the same weak ETag as the miss')
  t.equal(brotliDecompressSync(br.raw).toString(), html)
  const gz = await c.get('/p', { 'accept-encoding': 'gzip' })
  t.equal(gz.headers['content-encoding'], 'gzip')
  t.equal(gz.headers.etag, 'W/"e1"')
  t.equal(gunzipSync(gz.raw).toString(), html)
  const plain = await c.get('/p')
  t.equal(plain.headers['content-encoding'], undefined)
  t.equal(plain.headers.etag, '"e1"', 'identity keeps the strong ETag')
  t.equal(c.hits('/p'), 1)
})

t.test('If-None-Match with the weak or the strong form gets a 304 (weak comparison)', async t => {
  const c = await setupCache(t, { '/p': PAGE })
  await c.get('/p')
  const cases: Array<[string, string | undefined, string]> = [
    ['W/"e1"', 'br', 'W/"e1"'],
    ['"e1"', 'br', 'W/"e1"'],
    ['W/"e1"', 'gzip', 'W/"e1"'],
    ['W/"e1"', undefined, '"e1"'],
    ['"other", W/"e1"', 'br', 'W/"e1"']
  ]
  for (const [inm, accept, etag] of cases) {
    const headers: Record<string, string> = { 'if-none-match': inm }
    if (accept !== undefined) headers['accept-encoding'] = accept
    const res = await c.get('/p', headers)
    const what = `If-None-Match: ${inm}, Accept-Encoding: ${accept ?? '(none)'}`
    t.equal(res.status, 304, what)
    t.equal(res.headers.etag, etag, `${what}: the ETag the 200 would carry`)
    t.equal(res.headers.vary, 'Accept-Encoding', `${what}: Vary as on the 200`)
    t.equal(res.raw.length, 0)
  }
  const other = await c.get('/p', { 'if-none-match': 'W/"e2"', 'accept-encoding': 'br' })
  t.equal(other.status, 200, 'another ETag: the whole page')
  t.equal(other.headers.etag, 'W/"e1"')
  t.equal(c.hits('/p'), 1, 'every answer from the one stored copy')
})

t.test('an origin\'s weak ETag stays as it is on compressed hits', async t => {
  const c = await setupCache(t, { '/w': page({ 'cache-control': 'max-age=60', 'content-type': 'text/html', etag: 'W/"w1"' }, html) })
  await c.get('/w')
  const br = await c.get('/w', { 'accept-encoding': 'br' })
  t.equal(br.headers['x-cache'], 'HIT')
  t.equal(br.headers.etag, 'W/"w1"')
  const nm = await c.get('/w', { 'accept-encoding': 'br', 'if-none-match': 'W/"w1"' })
  t.equal(nm.status, 304)
  t.equal(nm.headers.etag, 'W/"w1"')
})

t.test('a revalidated entry answers a conditional request with the weak ETag of its compressed copy', async t => {
  const c = await setupCache(t, {
    '/r': (req, res) => {
      res.setHeader('etag', '"r1"')
      res.setHeader('content-type', 'text/html')
      // Stale on arrival, also after each 304: every request revalidates.
      res.setHeader('cache-control', 'max-age=10')
      res.setHeader('age', '10')
      if (req.headers['if-none-match'] === '"r1"') {
        res.statusCode = 304
        res.end()
        return
      }
      res.end(html)
    }
  })
  await c.get('/r')
  // The stored copy is in once a plain request revalidates it (one right after the miss may share the miss's answer).
  let plain = await c.get('/r', { 'accept-encoding': 'br' })
  for (let i = 0; i < 50 && plain.headers['x-cache'] !== 'REVALIDATED'; i++) plain = await c.get('/r', { 'accept-encoding': 'br' })
  t.equal(plain.headers['x-cache'], 'REVALIDATED')
  t.equal(plain.headers['content-encoding'], 'br')
  t.equal(plain.headers.etag, 'W/"r1"', 'the revalidated compressed copy')
  t.equal(brotliDecompressSync(plain.raw).toString(), html)
  const rev = await c.get('/r', { 'accept-encoding': 'br', 'if-none-match': 'W/"r1"' })
  t.equal(rev.headers['x-cache'], 'REVALIDATED')
  t.equal(rev.status, 304)
  t.equal(rev.headers.etag, 'W/"r1"')
  t.equal(rev.headers.vary, 'Accept-Encoding')
  const last = c.origin.requests[c.origin.requests.length - 1]
  t.equal(last.headers['if-none-match'], '"r1"', 'the origin is asked with its own strong ETag')
  const identity = await c.get('/r', { 'if-none-match': '"r1"' })
  t.equal(identity.status, 304)
  t.equal(identity.headers.etag, '"r1"', 'no Accept-Encoding: the identity ETag')
})
