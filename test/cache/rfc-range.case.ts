// RFC 9110 §14: Range requests answered from a stored full 200: 206 for one range, multipart/byteranges for several,
// 416 when none is satisfiable, If-Range with an ETag or a date; anything else gets the whole 200.
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import { setupCache, type CacheSetup } from './fixtures/setup.js'

const BODY = 'abcdefghijklmnopqrstuvwxyz'.repeat(100) // 2,600 bytes: large enough to be stored compressed too
const DATE = 'Wed, 02 Dec 2026 06:00:00 GMT'
const LAST_MODIFIED = 'Tue, 01 Dec 2026 06:00:00 GMT'

async function stored (t: Test): Promise<CacheSetup> {
  const c = await setupCache(t, {
    '/f': (_req, res) => {
      res.setHeader('cache-control', 'max-age=600')
      res.setHeader('content-type', 'text/plain')
      res.setHeader('etag', '"v1"')
      res.setHeader('last-modified', LAST_MODIFIED)
      res.setHeader('date', DATE)
      res.end(BODY)
    }
  })
  const miss = await c.get('/f', { range: 'bytes=0-4' })
  t.equal(miss.status, 200, 'the miss fetches and answers the whole body')
  t.equal(miss.body, BODY)
  return c
}

t.test('one range: 206 with Content-Range, also as a suffix or open range', async t => {
  const c = await stored(t)
  for (const [range, want, cr] of [
    ['bytes=0-4', 'abcde', 'bytes 0-4/2600'],
    ['bytes=-3', 'xyz', 'bytes 2597-2599/2600'],
    ['bytes=2594-', 'uvwxyz', 'bytes 2594-2599/2600'],
    ['bytes=2598-9999', 'yz', 'bytes 2598-2599/2600'],
    ['bytes=5000-6000, 1-2', 'bc', 'bytes 1-2/2600']
  ]) {
    const res = await c.get('/f', { range, 'accept-encoding': 'gzip, br' })
    t.equal(res.status, 206, range)
    t.equal(res.body, want, range)
    t.equal(res.headers['content-range'], cr)
    t.equal(res.headers['content-length'], String(want.length))
    t.equal(res.headers['content-encoding'], undefined, 'ranges of the identity body')
    t.equal(res.headers['content-type'], 'text/plain')
    t.equal(res.headers.etag, '"v1"')
    t.equal(res.headers['x-cache'], 'HIT')
  }
  t.equal(c.hits('/f'), 1)
})

t.test('several ranges: multipart/byteranges', async t => {
  const c = await stored(t)
  const res = await c.get('/f', { range: 'bytes=0-1, 4-5' })
  t.equal(res.status, 206)
  const m = /^multipart\/byteranges; boundary=(\S+)$/.exec(String(res.headers['content-type']))
  t.ok(m, 'multipart content type with a boundary')
  const b = m?.[1] ?? ''
  t.equal(res.body, `\r\n--${b}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/2600\r\n\r\nab` +
    `\r\n--${b}\r\nContent-Type: text/plain\r\nContent-Range: bytes 4-5/2600\r\n\r\nef\r\n--${b}--\r\n`)
  t.equal(res.headers['content-length'], String(res.raw.length))
  t.equal(res.headers['content-range'], undefined)
})

t.test('nothing satisfiable: 416 with the size', async t => {
  const c = await stored(t)
  for (const range of ['bytes=2600-2700', 'bytes=-0']) {
    const res = await c.get('/f', { range })
    t.equal(res.status, 416, range)
    t.equal(res.headers['content-range'], 'bytes */2600')
    t.equal(res.body, '')
  }
})

t.test('If-Range: the range only while the validator still matches', async t => {
  const c = await stored(t)
  const cases: Array<[string, number]> = [
    ['"v1"', 206], ['"v0"', 200], ['W/"v1"', 200], [LAST_MODIFIED, 206], ['Mon, 30 Nov 2026 06:00:00 GMT', 200], ['junk', 200]
  ]
  for (const [ifRange, status] of cases) {
    const res = await c.get('/f', { range: 'bytes=0-4', 'if-range': ifRange })
    t.equal(res.status, status, `If-Range: ${ifRange}`)
    t.equal(res.body, status === 206 ? 'abcde' : BODY)
  }
})

t.test('an unusable Range header is ignored: the whole 200', async t => {
  const c = await stored(t)
  for (const range of ['bytes=5-2', 'items=0-1', 'bytes=abc', 'bytes=0-2599,0-10', `bytes=${Array.from({ length: 40 }, (_, i) => `${i}-${i}`).join(',')}`]) {
    const res = await c.get('/f', { range })
    t.equal(res.status, 200, range)
    t.equal(res.body, BODY)
  }
  const head = await c.get('/f', { range: 'bytes=0-4' }, 'HEAD')
  t.equal(head.status, 200, 'HEAD ignores Range')
  t.equal(c.hits('/f'), 1)
})

t.test('a Range on a revalidated or stale answer is served from the stored body too', async t => {
  const c = await setupCache(t, {
    '/r': (req, res, n) => {
      res.setHeader('cache-control', 'max-age=1, stale-if-error=600')
      res.setHeader('etag', '"r"')
      res.setHeader('age', '2')
      if (req.headers['if-none-match'] === '"r"' && n === 2) { res.statusCode = 304; res.end(); return }
      if (n > 2) { res.statusCode = 503; res.end('down'); return }
      res.end(BODY)
    }
  })
  await c.get('/r')
  const reval = await c.get('/r', { range: 'bytes=2-4' })
  t.equal(reval.headers['x-cache'], 'REVALIDATED')
  t.equal(reval.status, 206)
  t.equal(reval.body, 'cde')
  t.equal(reval.headers['content-range'], 'bytes 2-4/2600')
  const stale = await c.get('/r', { range: 'bytes=-2' })
  t.equal(stale.headers['x-cache'], 'STALE')
  t.equal(stale.status, 206)
  t.equal(stale.body, 'yz')
})
