// A pass-through response the origin sent with a Content-Length goes to the client with it, fixed-length, never
// chunked (unless the sidecar transforms the body: compression); HEAD and 304 answers keep their empty bodies. Read
// off a raw socket, so the framing on the wire is what is checked, not what a client library makes of it.
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import net from 'node:net'
import http from 'node:http'
import { gunzipSync } from 'node:zlib'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

const page = Buffer.from('<!doctype html><p>' + 'x'.repeat(4096 - 22) + '</p>')

interface Raw { status: number, headers: Record<string, string>, body: Buffer, rest: Buffer }

/** Splits one HTTP/1.1 response off `buf` (head parsed; `bodyBytes` bytes of body, or everything when null). */
function parse (buf: Buffer, bodyBytes: number | null): Raw {
  const end = buf.indexOf('\r\n\r\n')
  const lines = buf.subarray(0, end).toString('latin1').split('\r\n')
  const headers: Record<string, string> = {}
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':')
    headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim()
  }
  const start = end + 4
  const stop = bodyBytes === null ? buf.length : start + bodyBytes
  return { status: Number(lines[0].split(' ')[1]), headers, body: buf.subarray(start, stop), rest: buf.subarray(stop) }
}

/** Sends `requests` on one connection and returns every byte the sidecar sent until it closed. */
function exchange (t: Test, url: string, requests: string[]): Promise<Buffer> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(u.port), u.hostname)
    const chunks: Buffer[] = []
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('no close within 5 s')) }, 5000)
    t.after(() => { clearTimeout(timer); socket.destroy() })
    socket.on('data', c => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks)) })
    socket.write(requests.join(''))
  })
}

const get = (path: string, extra = '', close = true): string =>
  `GET ${path} HTTP/1.1\r\nHost: shop.test\r\n${extra}${close ? 'Connection: close\r\n' : ''}\r\n`

async function setup (t: Test): Promise<string> {
  const origin = await startOrigin((req, res) => {
    if (req.url === '/fixed' || req.url === '/slow-parts') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(page.length), etag: '"p1"' })
      if (req.method === 'HEAD') { res.end(); return }
      if (req.url === '/fixed') { res.end(page); return }
      // The body in three parts with pauses: the head waits for the first, the rest follow it.
      res.write(page.subarray(0, 1000))
      setTimeout(() => { res.write(page.subarray(1000, 3000)) }, 30)
      setTimeout(() => { res.end(page.subarray(3000)) }, 60)
      return
    }
    if (req.url === '/not-modified') {
      res.writeHead(304, { etag: '"p1"' })
      res.end()
      return
    }
    if (req.url === '/chunked') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('first part, ')
      setTimeout(() => res.end('second part'), 20)
      return
    }
    if (req.url === '/big') {
      const big = Buffer.from('<p>' + 'compressible text '.repeat(5000) + '</p>')
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(big.length) })
      res.end(big)
      return
    }
    res.writeHead(404).end()
  })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => sidecar.close())
  return sidecar.url
}

t.test('a fixed-length origin response arrives with its Content-Length, not chunked', async t => {
  const url = await setup(t)
  const r = parse(await exchange(t, url, [get('/fixed')]), null)
  t.equal(r.status, 200)
  t.equal(r.headers['content-length'], String(page.length))
  t.equal(r.headers['transfer-encoding'], undefined)
  t.same(r.body, page, 'exactly the body, no chunk framing')
})

t.test('also when the body arrives in parts, and for a client that accepts no compression', async t => {
  const url = await setup(t)
  const r = parse(await exchange(t, url, [get('/slow-parts', 'Accept-Encoding: identity\r\n')]), null)
  t.equal(r.headers['content-length'], String(page.length))
  t.equal(r.headers['transfer-encoding'], undefined)
  t.same(r.body, page)
})

t.test('keep-alive: fixed-length responses back to back on one connection', async t => {
  const url = await setup(t)
  const all = await exchange(t, url, [get('/fixed', '', false), get('/slow-parts', '', false), get('/fixed')])
  let rest = all
  for (let i = 0; i < 3; i++) {
    const r = parse(rest, page.length)
    t.equal(r.status, 200, `response ${i + 1}`)
    t.equal(r.headers['content-length'], String(page.length))
    t.equal(r.headers['transfer-encoding'], undefined)
    t.same(r.body, page)
    rest = r.rest
  }
  t.equal(rest.length, 0, 'nothing after the third body')
})

t.test('HEAD keeps the origin\'s Content-Length and sends no body', async t => {
  const url = await setup(t)
  const raw = await exchange(t, url, [`HEAD /fixed HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n`])
  const r = parse(raw, null)
  t.equal(r.status, 200)
  t.equal(r.headers['content-length'], String(page.length))
  t.equal(r.headers['transfer-encoding'], undefined)
  t.equal(r.body.length, 0)
})

t.test('304 goes out without a body, without chunking', async t => {
  const url = await setup(t)
  const r = parse(await exchange(t, url, [get('/not-modified', 'If-None-Match: "p1"\r\n')]), null)
  t.equal(r.status, 304)
  t.equal(r.headers['transfer-encoding'], undefined)
  t.equal(r.body.length, 0)
})

t.test('an origin response without a length is still chunked to the client', async t => {
  const url = await setup(t)
  const r = parse(await exchange(t, url, [get('/chunked')]), null)
  t.equal(r.headers['transfer-encoding'], 'chunked')
  t.equal(r.headers['content-length'], undefined)
  t.match(r.body.toString(), /first part, [\s\S]*second part[\s\S]*0\r\n\r\n$/)
})

t.test('a transformed (compressed, streamed) body is chunked, without the origin\'s length', async t => {
  const url = await setup(t)
  const r = parse(await exchange(t, url, [get('/big', 'Accept-Encoding: gzip\r\n')]), null)
  t.equal(r.headers['content-encoding'], 'gzip')
  t.equal(r.headers['transfer-encoding'], 'chunked')
  t.equal(r.headers['content-length'], undefined)
  // De-chunk, then the gzip body decompresses to the origin's text.
  const parts: Buffer[] = []
  let b = r.body
  for (;;) {
    const eol = b.indexOf('\r\n')
    const n = parseInt(b.subarray(0, eol).toString(), 16)
    if (n === 0) break
    parts.push(b.subarray(eol + 2, eol + 2 + n))
    b = b.subarray(eol + 2 + n + 2)
  }
  t.match(gunzipSync(Buffer.concat(parts)).toString(), /^<p>compressible text /)
})

t.test('a client that disconnects mid-body leaves the next connection unaffected', async t => {
  const url = await setup(t)
  const u = new URL(url)
  await new Promise<void>(resolve => {
    const s = net.connect(Number(u.port), u.hostname, () => s.write(get('/slow-parts', '', false)))
    s.once('data', () => { s.destroy(); resolve() })
  })
  const res = await new Promise<http.IncomingMessage>(resolve => http.get(url + '/fixed', { agent: false }, resolve))
  const body: Buffer[] = []
  for await (const c of res) body.push(c as Buffer)
  t.equal(res.headers['content-length'], String(page.length))
  t.same(Buffer.concat(body), page)
})
