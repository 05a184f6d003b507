// A client that goes away frees the origin: its request to the origin is aborted (a PHP worker isn't held
// for a page nobody will read).
import t from '../helpers/cases.js'
import { connect } from 'node:net'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

t.test('the origin request is aborted when the client disconnects before the answer', async t => {
  let arrived: () => void = () => {}
  const atOrigin = new Promise<void>(resolve => { arrived = resolve })
  let originSawClose: () => void = () => {}
  const closedAtOrigin = new Promise<void>(resolve => { originSawClose = resolve })
  const origin = await startOrigin((_req, res) => {
    arrived()
    res.on('close', () => { if (!res.writableFinished) originSawClose() })
    setTimeout(() => { if (!res.destroyed) res.end('too late') }, 10_000).unref()
  })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => sidecar.close())

  const sock = connect({ host: '127.0.0.1', port: sidecar.port })
  sock.write('GET /slow.php HTTP/1.1\r\nHost: x\r\n\r\n')
  await atOrigin
  sock.destroy()
  const guard = new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('origin request still open 5 s after the client left')), 5000).unref())
  await Promise.race([closedAtOrigin, guard])
  t.pass('origin saw its request aborted')
})
