// A hit's serialized head (src/plugins/cache/serialized-head.ts) puts on the wire exactly the bytes writeHead would:
// every case is served on one keep-alive socket both by serveEntry and by writeHead with the same header list, and
// the two answers are compared byte for byte.
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import http from 'node:http'
import net from 'node:net'
import type { AddressInfo } from 'node:net'
import { serveEntry } from '../../src/plugins/cache/serve.js'
import { HeadMemo, SERIALIZED_HEAD_SUPPORTED, serializeHead, tryWriteHead } from '../../src/plugins/cache/serialized-head.js'
import type { CacheEntry } from '../../src/plugins/cache/types.js'
import { IDENTITY } from '../../src/core/content-coding.js'

const NOW = 1_700_000_000_000

function entry (headers: Record<string, string | string[]>, status = 200, body = Buffer.from('hello body')): CacheEntry {
  return {
    key: '/p\thttp://h\t',
    status,
    headers,
    body,
    br: null,
    gzip: null,
    responseTime: NOW - 42_000,
    initialAge: 3,
    freshUntil: NOW + 60_000,
    swrUntil: 0,
    sieUntil: 0,
    expiresAt: NOW + 60_000,
    authOk: false,
    tags: [],
    vary: null,
    rule: 'r'
  } as unknown as CacheEntry
}

/** The header list serve.ts gives writeHead on its fallback path. */
function flat (e: CacheEntry, xCache: boolean, cacheStatus: string, extra: readonly string[] | null): string[] {
  const out: string[] = []
  for (const name in e.headers) {
    if (name === 'content-length') continue
    const v = e.headers[name]
    if (typeof v === 'string') out.push(name, v)
    else for (const x of v) out.push(name, x)
  }
  out.push('content-length', String(e.body.length), 'age', '45')
  if (xCache) out.push('x-cache', 'HIT')
  out.push('cache-status', cacheStatus)
  const names = new Set(out.filter((_, i) => i % 2 === 0))
  if (extra !== null) for (let i = 0; i < extra.length; i += 2) if (!names.has(extra[i])) out.push(extra[i], extra[i + 1])
  return out
}

interface Case {
  entry: CacheEntry
  xCache: boolean
  extra: string[] | null
}

const DATE = 'Tue, 14 Nov 2023 22:13:20 GMT'
const cases: Record<string, Case> = {
  plain: { entry: entry({ 'content-type': 'text/html; charset=utf-8', date: DATE, vary: 'Accept-Encoding' }), xCache: true, extra: null },
  repeated: { entry: entry({ date: DATE, link: ['</a.css>; rel=preload', '</b.js>; rel=preload'], etag: '"v1"' }), xCache: false, extra: null },
  extra: { entry: entry({ date: DATE, 'content-type': 'text/plain' }), xCache: true, extra: ['ratelimit', 'limit=10, remaining=9', 'cache-status', 'ignored', 'x-cache', 'ignored too'] },
  // Every byte value, and a body over the size kept as a string (it goes as a Buffer).
  binary: { entry: entry({ date: DATE, 'content-type': 'application/octet-stream' }, 200, Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256))), xCache: true, extra: null },
  large: { entry: entry({ date: DATE }, 200, Buffer.alloc(40_000, 0xe9)), xCache: true, extra: null },
  notFound: { entry: entry({ date: DATE }, 404), xCache: true, extra: null },
  // writeHead adds a Date per response: the fallback.
  noDate: { entry: entry({ 'content-type': 'text/plain' }), xCache: true, extra: null },
  // A stored Connection header would make writeHead decide keep-alive from it: the fallback.
  connection: { entry: entry({ date: DATE, connection: 'keep-alive' }), xCache: true, extra: null }
}

function startServer (t: Test, opts: { maxRequestsPerSocket?: number, keepAliveTimeout?: number } = {}): Promise<number> {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url as string, 'http://x')
    const c = cases[u.searchParams.get('case') as string]
    const head = req.method === 'HEAD'
    if (u.pathname === '/serve') {
      serveEntry(res, c.entry, IDENTITY, head, NOW, { xCache: c.xCache }, 'HIT', 'sipup; hit', c.extra)
    } else {
      res.writeHead(c.entry.status, flat(c.entry, c.xCache, 'sipup; hit', c.extra))
      if (head) res.end()
      else res.end(c.entry.body)
    }
  })
  if (opts.maxRequestsPerSocket !== undefined) server.maxRequestsPerSocket = opts.maxRequestsPerSocket
  if (opts.keepAliveTimeout !== undefined) server.keepAliveTimeout = opts.keepAliveTimeout
  t.teardown(() => { server.closeAllConnections(); server.close() })
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => { resolve((server.address() as AddressInfo).port) }))
}

/** Sends `requests` in one write on one socket; resolves with everything read until the server closes or goes
 * quiet. */
function exchange (port: number, requests: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1')
    let out = ''
    let timer: NodeJS.Timeout | null = null
    const finish = (): void => { s.destroy(); resolve(out) }
    s.on('data', d => {
      out += d.toString('latin1')
      if (timer !== null) clearTimeout(timer)
      timer = setTimeout(finish, 150)
    })
    s.on('end', finish)
    s.on('error', reject)
    s.write(requests)
  })
}

/** Responses of one exchange, the Date header written per response blanked (it changes by the second). */
function split (raw: string): string[] {
  return raw.split(/(?=HTTP\/1\.1 )/).map(r => r.replace(/^Date: .*\r\n/m, 'Date: <now>\r\n'))
}

t.test('the fast path is available on this Node', async t => {
  t.ok(SERIALIZED_HEAD_SUPPORTED)
})

for (const [name] of Object.entries(cases)) {
  for (const method of ['GET', 'HEAD']) {
    t.test(`${name}, ${method}: the same bytes as writeHead, over a keep-alive socket`, async t => {
      const port = await startServer(t)
      const req = (path: string): string => `${method} ${path}?case=${name} HTTP/1.1\r\nHost: h\r\n\r\n`
      // Twice each, pipelined: the second response of each goes after a first on the same socket.
      const responses = split(await exchange(port, req('/serve') + req('/ref') + req('/serve') + req('/ref')))
      t.equal(responses.length, 4)
      t.equal(responses[0], responses[1])
      t.equal(responses[2], responses[3])
      t.equal(responses[0], responses[2])
      t.match(responses[0], /\r\nage: 45\r\n/)
    })
  }
}

t.test('Connection: close, HTTP/1.0 and the last request of a socket close exactly as writeHead does', async t => {
  const port = await startServer(t, { maxRequestsPerSocket: 2, keepAliveTimeout: 7000 })
  const close = (path: string): string => `GET ${path}?case=plain HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n`
  t.same(split(await exchange(port, close('/serve'))), split(await exchange(port, close('/ref'))))
  const old = (path: string): string => `GET ${path}?case=plain HTTP/1.0\r\nHost: h\r\n\r\n`
  t.same(split(await exchange(port, old('/serve'))), split(await exchange(port, old('/ref'))))
  const keep = (path: string): string => `GET ${path}?case=plain HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n`
  t.same(split(await exchange(port, keep('/serve'))), split(await exchange(port, keep('/ref'))))
  // max=2: the first answer says `Keep-Alive: timeout=7, max=2`, the second closes.
  const two = (path: string): string => `GET ${path}?case=plain HTTP/1.1\r\nHost: h\r\n\r\n`.repeat(2)
  const served = split(await exchange(port, two('/serve')))
  t.same(served, split(await exchange(port, two('/ref'))))
  t.match(served[0], /Keep-Alive: timeout=7, max=2\r\n/)
  t.match(served[1], /Connection: close\r\n/)
})

t.test('a bad value in the plugins\' headers throws what writeHead throws', async t => {
  const codes: string[] = []
  const server = http.createServer((_req, res) => {
    const e = entry({ date: DATE })
    for (const run of [
      () => { serveEntry(res, e, IDENTITY, false, NOW, { xCache: true }, 'HIT', 'sipup; hit', ['x-bad', 'a\r\nb']) },
      () => { res.writeHead(200, ['x-bad', 'a\r\nb']) }
    ]) {
      try { run() } catch (err) { codes.push((err as { code: string }).code) }
    }
    res.end()
  })
  t.teardown(() => { server.closeAllConnections(); server.close() })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  await exchange((server.address() as AddressInfo).port, 'GET / HTTP/1.1\r\nHost: h\r\n\r\n')
  t.same(codes, ['ERR_INVALID_CHAR', 'ERR_INVALID_CHAR'])
})

t.test('serializeHead leaves to writeHead what it would treat specially', async t => {
  t.equal(serializeHead(204, ['date', DATE], 2), null, 'no body')
  t.equal(serializeHead(200, ['content-type', 'text/plain'], 2), null, 'no Date')
  t.equal(serializeHead(200, ['date', DATE, 'Transfer-Encoding', 'chunked'], 4), null, 'Transfer-Encoding')
  t.equal(serializeHead(200, ['date', DATE, 'x-bad', 'a\nb'], 4), null, 'an invalid value')
  t.equal(serializeHead(200, ['date', DATE, 'bad name', 'x'], 4), null, 'an invalid name')
  t.equal(serializeHead(200, ['date', DATE, 'age', '0'], 2), `HTTP/1.1 200 OK\r\ndate: ${DATE}\r\n`, 'only the pairs before the slots')
})

t.test('tryWriteHead declines a response of another class (app.inject), with headers already set or a patched writeHead', async t => {
  const req = { method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: {} } as unknown as http.IncomingMessage
  class Other extends http.ServerResponse {}
  const prefix = `HTTP/1.1 200 OK\r\ndate: ${DATE}\r\n`
  t.equal(tryWriteHead(new Other(req), 200, prefix, 1, '0', null, 'x', null, new Set()), false)
  const set = new http.ServerResponse(req)
  set.setHeader('x-a', '1')
  t.equal(tryWriteHead(set, 200, prefix, 1, '0', null, 'x', null, new Set()), false)
  const patched = new http.ServerResponse(req)
  patched.writeHead = function (this: http.ServerResponse, ...args: Parameters<http.ServerResponse['writeHead']>) {
    return http.ServerResponse.prototype.writeHead.apply(this, args)
  } as http.ServerResponse['writeHead']
  t.equal(tryWriteHead(patched, 200, prefix, 1, '0', null, 'x', null, new Set()), false, 'a patched writeHead')
  const plain = new http.ServerResponse(req)
  t.equal(tryWriteHead(plain, 200, prefix, 1, '0', null, 'x', null, new Set()), true)
  t.equal(plain.headersSent, true, 'as after writeHead')
})

t.test('HeadMemo: the last head is sent again only for the same Age, X-Cache, Cache-Status, keep-alive and no plugin headers', async t => {
  const req = { method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: {} } as unknown as http.IncomingMessage
  const prefix = `HTTP/1.1 200 OK\r\ndate: ${DATE}\r\n`
  const memo = new HeadMemo()
  const head = (age: string, xCache: string | null, cacheStatus: string, extra: string[] | null = null,
    keepAliveTimeout = 5000): string => {
    const res = new http.ServerResponse(req) as http.ServerResponse & { _header: string, _keepAliveTimeout: number }
    res._keepAliveTimeout = keepAliveTimeout
    t.equal(tryWriteHead(res, 200, prefix, 10, age, xCache, cacheStatus, extra, new Set(['date']), memo), true)
    return res._header
  }
  const first = head('3', 'HIT', 'sipup; hit')
  t.equal(first, `${prefix}age: 3\r\nx-cache: HIT\r\ncache-status: sipup; hit\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n`)
  t.equal(head('3', 'HIT', 'sipup; hit'), first, 'the same head again')
  t.equal(memo.head, first)
  t.match(head('4', 'HIT', 'sipup; hit'), /\r\nage: 4\r\n/, 'a new Age')
  t.match(head('4', 'STALE', 'sipup; fwd=stale'), /x-cache: STALE\r\ncache-status: sipup; fwd=stale\r\n/)
  t.match(head('4', null, 'sipup; fwd=stale'), /age: 4\r\ncache-status: sipup; fwd=stale\r\n/)
  t.notMatch(head('4', null, 'sipup; fwd=stale'), /x-cache/)
  const withExtra = head('4', null, 'sipup; fwd=stale', ['ratelimit', 'limit=10'])
  t.match(withExtra, /\r\nratelimit: limit=10\r\n/, 'plugin headers are added')
  t.notMatch(memo.head, /ratelimit/, 'and never remembered')
  t.notMatch(head('4', null, 'sipup; fwd=stale'), /ratelimit/, 'the next hit without them has none')
  t.match(head('4', null, 'sipup; fwd=stale', null, 7000), /Keep-Alive: timeout=7\r\n/, 'another server\'s keep-alive')
})
