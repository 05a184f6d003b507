// A cache hit written on an HTTP/2 stream (serve.ts through respondH2): the stream's own HEADERS + DATA, no
// trailers, and the compat response still behaves as after writeHead/end (status, finish, writableEnded), so the
// onResponse hooks and the access log see the same answer.
import fs from 'node:fs'
import http2 from 'node:http2'
import type { ServerResponse } from 'node:http'
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import { SidecarH2Request, SidecarH2Response } from '../../src/core/h2-guard.js'
import { serveEntry, serveNotModified } from '../../src/plugins/cache/serve.js'
import { IDENTITY } from '../../src/core/content-coding.js'
import type { CacheEntry } from '../../src/plugins/cache/types.js'
import { makeCert, opensslMissing, tmpDir } from './certs.js'

const skip = opensslMissing()
const dir = skip === false ? tmpDir() : ''
t.teardown(() => { if (dir !== '') fs.rmSync(dir, { recursive: true, force: true }) })

function entry (status: number, headers: Record<string, string | string[]>, body: string): CacheEntry {
  const now = Date.now()
  return {
    key: '/x', status, headers, body: Buffer.from(body), br: null, gzip: null, responseTime: now, initialAge: 0,
    freshUntil: now + 60_000, swrUntil: 0, sieUntil: 0, expiresAt: now + 60_000, authOk: false, tags: [], vary: null, rule: 'r'
  }
}

interface Seen { status: number, finished: boolean, ended: boolean, trailersSent: boolean }
type Answer = (res: ServerResponse) => void

/** An h2 server with the sidecar's compat classes whose handler is `answer`; each response's state once finished. */
async function server (t: Test, answer: Answer): Promise<{ url: string, seen: Seen[] }> {
  const { cert, key } = makeCert(dir, `c${Math.random().toString(36).slice(2)}`, ['localhost'])
  const seen: Seen[] = []
  const s = http2.createSecureServer({
    cert: fs.readFileSync(cert), key: fs.readFileSync(key), Http2ServerRequest: SidecarH2Request, Http2ServerResponse: SidecarH2Response
  }, (_req, res) => {
    res.on('finish', () => {
      seen.push({ status: res.statusCode, finished: true, ended: res.writableEnded, trailersSent: res.stream?.sentTrailers !== undefined })
    })
    answer(res as unknown as ServerResponse)
  })
  await new Promise<void>(resolve => s.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => { s.close(() => resolve()) }))
  const port = (s.address() as { port: number }).port
  return { url: `https://localhost:${port}`, seen }
}

interface Got { headers: http2.IncomingHttpHeaders, body: string }

function get (url: string, path: string, method = 'GET'): Promise<Got> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, { rejectUnauthorized: false })
    session.on('error', reject)
    const req = session.request({ ':path': path, ':method': method })
    let body = ''
    let headers: http2.IncomingHttpHeaders = {}
    req.setEncoding('utf8')
    req.on('response', h => { headers = h })
    req.on('data', (c: string) => { body += c })
    req.on('end', () => { session.close(); resolve({ headers, body }) })
    req.on('error', reject)
  })
}

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise(resolve => setTimeout(resolve, 10))
}

t.test('an h2 hit: repeated headers kept, connection-specific ones dropped, no trailers, finish with the status', { skip }, async t => {
  const e = entry(404, {
    'content-type': 'text/plain', link: ['</a.css>; rel=preload', '</b.js>; rel=preload'], connection: 'close', 'keep-alive': 'timeout=5'
  }, 'gone')
  const { url, seen } = await server(t, res => {
    serveEntry(res, e, IDENTITY, false, Date.now(), { xCache: true }, 'HIT', 'sipup; hit', ['x-extra', '1'])
  })
  const got = await get(url, '/x')
  t.equal(got.headers[':status'], 404)
  t.equal(got.body, 'gone')
  t.equal(got.headers['content-length'], '4')
  t.equal(got.headers.link, '</a.css>; rel=preload, </b.js>; rel=preload', 'both Link values')
  t.equal(got.headers.connection, undefined)
  t.equal(got.headers['keep-alive'], undefined)
  t.equal(got.headers['x-cache'], 'HIT')
  t.equal(got.headers['cache-status'], 'sipup; hit')
  t.equal(got.headers['x-extra'], '1', 'a plugin header')
  t.equal(got.headers.age, '0')
  await until(() => seen.length === 1)
  t.same(seen, [{ status: 404, finished: true, ended: true, trailersSent: false }],
    'the response finished with the entry status, ended, and no trailers were asked for')
})

t.test('an h2 hit after setHeader (a plugin set a header on the response) keeps both', { skip }, async t => {
  const e = entry(200, { 'content-type': 'text/plain', link: ['</a>', '</b>'] }, 'ok')
  const { url, seen } = await server(t, res => {
    res.setHeader('x-set', 'yes')
    serveEntry(res, e, IDENTITY, false, Date.now(), { xCache: false }, 'HIT', 'sipup; hit', null)
  })
  const got = await get(url, '/x')
  t.equal(got.headers[':status'], 200)
  t.equal(got.headers['x-set'], 'yes')
  t.equal(got.headers.link, '</a>, </b>')
  t.equal(got.body, 'ok')
  await until(() => seen.length === 1)
  t.equal(seen[0].status, 200)
})

t.test('an h2 HEAD hit and a 304 finish without a body', { skip }, async t => {
  const e = entry(200, { 'content-type': 'text/plain', etag: '"v1"' }, 'body')
  let notModified = false
  const { url, seen } = await server(t, res => {
    if (notModified) serveNotModified(res, e, IDENTITY, Date.now(), { xCache: false }, 'HIT', 'sipup; hit', null)
    else serveEntry(res, e, IDENTITY, true, Date.now(), { xCache: false }, 'HIT', 'sipup; hit', null)
  })
  const head = await get(url, '/x', 'HEAD')
  t.equal(head.headers[':status'], 200)
  t.equal(head.headers['content-length'], '4', 'HEAD carries the length of the body it leaves out')
  t.equal(head.body, '')
  notModified = true
  const nm = await get(url, '/x')
  t.equal(nm.headers[':status'], 304)
  t.equal(nm.headers.etag, '"v1"')
  t.equal(nm.body, '')
  await until(() => seen.length === 2)
  t.same(seen.map(s => [s.status, s.ended, s.trailersSent]), [[200, true, false], [304, true, false]])
})
