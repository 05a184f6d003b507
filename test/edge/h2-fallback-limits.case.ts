// The HTTP/2 server's HTTP/1.1 fallback (ALPN) has server.*'s HTTP/1 limits, as the http and https servers do:
// node:http2 takes none of maxHeaderSize/headersTimeout/requestTimeout from its options, and with allowHTTP1 sets its
// own (60 s headers, 5 min request, checked every 30 s), so an HTTPS/1.1 slowloris client of an http2: true sidecar
// held its connection for a minute whatever server.headersTimeout said.
import fs from 'node:fs'
import tls from 'node:tls'
import t from '../helpers/cases.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { makeCert, opensslMissing, tmpDir } from './certs.js'

const skip = opensslMissing()
const dir = skip === false ? tmpDir() : ''
t.teardown(() => { if (dir !== '') fs.rmSync(dir, { recursive: true, force: true }) })

/** Sends `text` over HTTPS/1.1 (ALPN http/1.1); resolves with what came back when the server closed. */
function h1Raw (port: number, text: string, giveUpMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] })
    let got = ''
    sock.on('secureConnect', () => { sock.write(text) })
    sock.on('data', (c: Buffer) => { got += c.toString() })
    sock.on('close', () => resolve(got))
    sock.on('error', () => resolve(got))
    setTimeout(() => { sock.destroy(); reject(new Error(`connection still open after ${giveUpMs} ms`)) }, giveUpMs).unref()
  })
}

t.test('http2: true, HTTPS/1.1 fallback: server.headersTimeout cuts a client that never ends its headers', { skip }, async t => {
  const { cert, key } = makeCert(dir, 'ht', ['localhost'])
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({ upstream: { url: origin.url }, server: { tls: { cert, key }, http2: true, headersTimeout: '500ms', requestTimeout: '1s' } })
  t.after(() => sc.close())
  const started = Date.now()
  const got = await h1Raw(sc.port, 'GET / HTTP/1.1\r\nHost: localhost\r\n', 10_000)
  t.match(got, /^(HTTP\/1\.1 408 [^]*|)$/, 'closed, with a 408 or nothing')
  t.ok(Date.now() - started < 5000, `closed within 5 s (${Date.now() - started} ms)`)
  t.equal(origin.requests.length, 0)
})

t.test('http2: true, HTTPS/1.1 fallback: a header block over server.maxHeaderSize gets 431', { skip }, async t => {
  const { cert, key } = makeCert(dir, 'mh', ['localhost'])
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({ upstream: { url: origin.url }, server: { tls: { cert, key }, http2: true, maxHeaderSize: '1KB' } })
  t.after(() => sc.close())
  const got = await h1Raw(sc.port, `GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Big: ${'a'.repeat(2048)}\r\n\r\n`, 10_000)
  t.match(got, /^HTTP\/1\.1 431 /)
  t.equal(origin.requests.length, 0)
})
