// Protections against slow or oversized clients (slowloris, header floods).
import t from '../helpers/cases.js'
import { connect } from 'node:net'
import { rawRequest } from '../helpers/raw-http.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

t.test('a header block over server.maxHeaderSize gets 431 and never reaches the origin', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, server: { maxHeaderSize: '1KB' } })
  t.after(() => sidecar.close())
  const res = await rawRequest(sidecar.port, `GET / HTTP/1.1\nHost: x\nX-Big: ${'a'.repeat(2048)}\n\n`)
  t.match(res, /^HTTP\/1\.1 431 /)
  t.equal(origin.requests.length, 0)
})

t.test('a client that never finishes its headers is cut off after server.headersTimeout', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, server: { headersTimeout: '500ms', requestTimeout: '1s' } })
  t.after(() => sidecar.close())
  const closed = await new Promise<string>((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port: sidecar.port })
    let got = ''
    sock.on('data', (c: Buffer) => { got += c.toString() })
    sock.on('close', () => resolve(got))
    sock.on('error', reject)
    sock.write('GET / HTTP/1.1\r\nHost: x\r\n') // ...and never the blank line
    setTimeout(() => { sock.destroy(); reject(new Error('connection still open after 10 s')) }, 10_000).unref()
  })
  t.match(closed, /^(HTTP\/1\.1 408 [^]*|)$/, 'closed, with a 408 or nothing')
  t.equal(origin.requests.length, 0)
})
