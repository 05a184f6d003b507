// proxy.requestBuffering: bodies are read completely before an origin connection is taken, so slow uploads can't
// hold the origin's connections; memory then a temp file, all within maxRequestBody; a receive-rate floor (408); a
// per-IP cap on uploads in progress (429); proxy.streamPaths keeps streaming where it is needed.
import t from '../helpers/cases.js'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { request } from 'undici'
import { startOrigin, startSidecar, type Origin } from '../helpers/sidecar.js'

const wait = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

interface Upload {
  sock: Socket
  /** Sends n bytes of the body. */
  send(n: number): void
  /** Sends the rest of the announced body. */
  finish(): void
  /** Everything the sidecar answered, when it closes the connection. */
  answer: Promise<string>
}

/** A POST whose headers announce `total` bytes; the body is sent by the test, as slowly as it likes. */
function upload (port: number, path: string, total: number, headers = ''): Promise<Upload> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port })
    let text = ''
    sock.on('data', (c: Buffer) => { text += c.toString() })
    const answer = new Promise<string>(res => sock.on('close', () => res(text)))
    sock.on('error', () => {})
    sock.once('error', reject)
    sock.once('connect', () => {
      sock.write(`POST ${path} HTTP/1.1\r\nHost: shop.test\r\nContent-Length: ${total}\r\nAccept: application/json\r\nConnection: close\r\n${headers}\r\n`)
      let sent = 0
      const send = (n: number): void => {
        const k = Math.min(n, total - sent)
        sent += k
        if (k > 0 && !sock.destroyed) sock.write('x'.repeat(k))
      }
      resolve({ sock, send, finish: () => send(total - sent), answer })
    })
  })
}

/** Sends one byte every `everyMs` until stopped. */
function trickle (u: Upload, everyMs: number): () => void {
  const timer = setInterval(() => u.send(1), everyMs)
  return () => clearInterval(timer)
}

function shopOrigin (): Promise<Origin> {
  return startOrigin((req, res) => {
    if (req.method !== 'POST') { res.end('page'); return }
    const hash = createHash('sha256')
    let bytes = 0
    req.on('data', (c: Buffer) => { bytes += c.length; hash.update(c) })
    req.on('end', () => { res.end(JSON.stringify({ bytes, sha: hash.digest('hex'), te: req.headers['transfer-encoding'] ?? null, len: req.headers['content-length'] ?? null })) })
  })
}

t.test('while 2 x upstream.connections slow uploads are in progress, uncached GETs keep answering', async t => {
  const origin = await shopOrigin()
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url, connections: 2 } })
  t.after(() => sidecar.close())
  const uploads = await Promise.all(Array.from({ length: 4 }, () => upload(sidecar.port, '/upload.php', 1000)))
  t.after(() => { for (const u of uploads) u.sock.destroy() })
  const stops = uploads.map(u => trickle(u, 100))
  t.after(() => { for (const s of stops) s() })
  await wait(300)
  for (let i = 0; i < 5; i++) {
    // A streaming proxy would queue these behind the uploads holding both origin connections: the answer would
    // never come within the (generous) 5 s.
    const res = await request(`${sidecar.url}/page.php?n=${i}`, { headersTimeout: 5000, bodyTimeout: 5000 })
    t.equal(res.statusCode, 200, `GET ${i} answered`)
    t.equal(await res.body.text(), 'page')
  }
  const ready = await request(`${sidecar.url}/_admin/ready`, { headersTimeout: 5000, bodyTimeout: 5000 })
  t.equal(ready.statusCode, 200, 'readiness (an origin request of its own) stays green')
  await ready.body.dump()
  t.equal(origin.requests.filter(r => r.method === 'POST').length, 0, 'no upload reached the origin before it was complete')
  for (const s of stops) s()
  for (const u of uploads) u.finish()
  const answers = await Promise.all(uploads.map(u => u.answer))
  for (const a of answers) {
    t.match(a, /^HTTP\/1\.1 200 /)
    t.match(a, /"bytes":1000,/)
  }
})

t.test('a body over bufferMemory goes to a temp file, arrives byte for byte with a Content-Length, and leaves no file', async t => {
  const origin = await shopOrigin()
  t.after(() => origin.close())
  const dir = mkdtempSync(join(tmpdir(), 'sipup-buffer-test-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const sidecar = await startSidecar({ upstream: { url: origin.url }, proxy: { bufferMemory: '16KB', bufferDir: dir }, admin: { enabled: false } })
  t.after(() => sidecar.close())
  const chunk = Buffer.alloc(64 * 1024)
  const expected = createHash('sha256')
  async function * body (): AsyncGenerator<Buffer> {
    for (let i = 0; i < 16; i++) {
      chunk.fill(i)
      expected.update(chunk)
      yield Buffer.from(chunk)
    }
  }
  const res = await request(`${sidecar.url}/upload.php`, { method: 'POST', body: Readable.from(body()) })
  const got = await res.body.json() as { bytes: number, sha: string, te: string | null, len: string | null }
  t.equal(res.statusCode, 200)
  t.equal(got.bytes, 1024 * 1024)
  t.equal(got.sha, expected.digest('hex'), 'byte for byte')
  t.same([got.te, got.len], [null, String(1024 * 1024)], 'the chunked upload reaches the origin with its length')
  t.same(readdirSync(dir), [], 'the temp file is gone')
  const small = await request(`${sidecar.url}/upload.php`, { method: 'POST', body: 'a=1&b=2' })
  t.match(await small.body.json(), { bytes: 7, len: '7' }, 'a small body stays in memory')
})

t.test('a chunked body over maxRequestBody is refused with 413 and the origin never sees it', async t => {
  const origin = await shopOrigin()
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, proxy: { maxRequestBody: '64KB', bufferMemory: '8KB' }, admin: { enabled: false } })
  t.after(() => sidecar.close())
  async function * big (): AsyncGenerator<Buffer> { for (let i = 0; i < 10; i++) yield Buffer.alloc(16 * 1024) }
  const res = await request(`${sidecar.url}/upload.php`, { method: 'POST', body: Readable.from(big()), headers: { accept: 'application/json' } })
  t.equal(res.statusCode, 413)
  t.match(await res.body.json(), { code: 'SIPUP_ERR_REQUEST_BODY_TOO_LARGE' })
  t.equal(origin.requests.length, 0)
})

t.test('a body slower than proxy.bodyMinRate, or stalled past proxy.bodyTimeout, gets 408 and never reaches the origin', async t => {
  const origin = await shopOrigin()
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, proxy: { bodyTimeout: '300ms', bodyMinRate: '1KB' }, admin: { enabled: false } })
  t.after(() => sidecar.close())
  const slow = await upload(sidecar.port, '/upload.php', 10_000)
  const stop = trickle(slow, 50) // ~20 bytes/s: never a pause of 300 ms, but far below 1 KB/s
  t.after(stop)
  const stalled = await upload(sidecar.port, '/upload.php', 10_000)
  stalled.send(100)
  for (const [name, u] of [['slow', slow], ['stalled', stalled]] as const) {
    const answer = await u.answer
    t.match(answer, /^HTTP\/1\.1 408 /, name)
    t.match(answer, /"code":"SIPUP_ERR_REQUEST_BODY_TIMEOUT"/)
    t.match(answer, /\r\nconnection: close\r\n/i)
  }
  t.equal(origin.requests.length, 0)
})

t.test('proxy.maxUploadsPerIp: a third concurrent upload from one IP gets 429; a finished one frees its slot', async t => {
  const origin = await shopOrigin()
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, proxy: { maxUploadsPerIp: 2 }, admin: { enabled: false } })
  t.after(() => sidecar.close())
  const a = await upload(sidecar.port, '/upload.php', 10)
  const b = await upload(sidecar.port, '/upload.php', 10)
  a.send(1)
  b.send(1)
  await wait(200)
  const c = await upload(sidecar.port, '/upload.php', 10)
  c.send(10)
  const refused = await c.answer
  t.match(refused, /^HTTP\/1\.1 429 /)
  t.match(refused, /"code":"SIPUP_ERR_REQUEST_TOO_MANY_UPLOADS"/)
  a.send(9)
  t.match(await a.answer, /^HTTP\/1\.1 200 /)
  const d = await upload(sidecar.port, '/upload.php', 10)
  d.send(10)
  t.match(await d.answer, /^HTTP\/1\.1 200 /, 'the slot of the finished upload is free again')
  b.send(9)
  t.match(await b.answer, /^HTTP\/1\.1 200 /)
})

t.test('proxy.streamPaths stream as they arrive; other paths are buffered', async t => {
  const origin = await shopOrigin()
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, proxy: { streamPaths: ['/stream/*'] }, admin: { enabled: false } })
  t.after(() => sidecar.close())
  const streamed = await upload(sidecar.port, '/stream/big.php?x=1', 20)
  const buffered = await upload(sidecar.port, '/buffered.php', 20)
  streamed.send(10)
  buffered.send(10)
  for (let i = 0; i < 50 && origin.requests.length === 0; i++) await wait(50)
  t.same(origin.requests.map(r => r.url), ['/stream/big.php?x=1'], 'only the streamed upload is at the origin while half sent')
  streamed.send(10)
  buffered.send(10)
  t.match(await streamed.answer, /"bytes":20,/)
  t.match(await buffered.answer, /"bytes":20,/)
})

t.test('without a usable proxy.bufferDir the body stays in memory (still within maxRequestBody) instead of failing', async t => {
  const origin = await shopOrigin()
  t.after(() => origin.close())
  const sidecar = await startSidecar({
    upstream: { url: origin.url },
    proxy: { bufferMemory: '4KB', bufferDir: join(tmpdir(), 'sipup-no-such-dir', String(process.pid)) },
    admin: { enabled: false }
  })
  t.after(() => sidecar.close())
  async function * body (): AsyncGenerator<Buffer> { for (let i = 0; i < 8; i++) yield Buffer.alloc(8 * 1024, i) }
  const res = await request(`${sidecar.url}/upload.php`, { method: 'POST', body: Readable.from(body()) })
  t.equal(res.statusCode, 200)
  t.match(await res.body.json(), { bytes: 64 * 1024 })
})
