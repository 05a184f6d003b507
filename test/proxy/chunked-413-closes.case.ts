// Regression: a chunked upload over proxy.maxRequestBody got its 413 with `connection: keep-alive` and the connection
// stayed active (the rest of the body still arriving), so a shutdown waited out the keep-alive timeout. The 413 now
// says `connection: close` and the sidecar closes the socket, like the declared-length path.
import t from '../helpers/cases.js'
import { connect } from 'node:net'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

t.test('a chunked upload over the limit: 413 with connection: close, the socket is closed, close() does not wait', async t => {
  const origin = await startOrigin((req, res) => { req.resume(); req.on('end', () => res.end('ok')); req.on('error', () => {}) })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, proxy: { maxRequestBody: '16KB' }, server: { keepAliveTimeout: '60s' } })
  let closed = false
  t.after(async () => { if (!closed) await sidecar.close() })

  const sock = connect({ host: '127.0.0.1', port: sidecar.port })
  t.after(() => sock.destroy())
  let text = ''
  const ended = new Promise<void>(resolve => {
    sock.on('close', () => resolve())
    sock.on('error', () => resolve())
  })
  sock.on('data', (c: Buffer) => { text += c.toString('latin1') })
  await new Promise<void>(resolve => sock.once('connect', () => resolve()))
  sock.write('POST /upload.php HTTP/1.1\r\nHost: shop.example\r\nTransfer-Encoding: chunked\r\nAccept: application/json\r\n\r\n')
  const chunk = Buffer.alloc(8 * 1024, 'a')
  // 24 KB over a 16 KB limit, and the body never ends: a slow client still sending.
  for (let i = 0; i < 3; i++) sock.write(`${chunk.length.toString(16)}\r\n${chunk.toString('latin1')}\r\n`)
  await ended
  t.match(text, /^HTTP\/1\.1 413 /)
  t.match(text, /\r\nconnection: close\r\n/i)
  t.match(text, /SIPUP_ERR_REQUEST_BODY_TOO_LARGE/)

  // Plain close (no deadline, no connection cutting): it only finishes this fast because nothing is left open.
  const start = Date.now()
  await sidecar.app.close()
  closed = true
  t.ok(Date.now() - start < 5000, `close() took ${Date.now() - start} ms, far under the 60 s keep-alive`)
})
