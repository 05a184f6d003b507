// Connections that never send a byte, and one address holding many: server.idleTimeout closes the silent ones so
// they can't fill server.maxConnections, server.maxConnectionsPerIp caps one address (trusted proxies exempt).
import t from '../helpers/cases.js'
import { connect, type Socket } from 'node:net'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

/** A connected socket that sends nothing; `closed` resolves when the server closes it, with what it sent. */
function silent (port: number, localAddress = '127.0.0.1'): Promise<{ sock: Socket, closed: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port, localAddress })
    let got = ''
    sock.on('data', (c: Buffer) => { got += c.toString() })
    const closed = new Promise<string>(res => sock.on('close', () => res(got)))
    sock.on('error', () => {})
    sock.once('connect', () => resolve({ sock, closed }))
    sock.once('error', reject)
  })
}

/** One GET on its own connection from `localAddress`; the status, or 0 when the connection was refused or reset. */
function get (port: number, localAddress = '127.0.0.1', timeoutMs = 3000): Promise<{ status: number, text: string }> {
  return new Promise(resolve => {
    const sock = connect({ host: '127.0.0.1', port, localAddress })
    let text = ''
    const done = (): void => { sock.destroy(); resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text }) }
    sock.setTimeout(timeoutMs, done)
    sock.on('data', (c: Buffer) => { text += c.toString() })
    sock.on('end', done)
    sock.on('error', done)
    sock.write('GET /page.php HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n')
  })
}

t.test('2 x maxConnections silent sockets do not lock out a real client: idle ones are closed', async t => {
  const origin = await startOrigin((_req, res) => { res.end('page') })
  t.after(() => origin.close())
  const sidecar = await startSidecar({
    upstream: { url: origin.url },
    server: { maxConnections: 10, idleTimeout: '300ms', maxConnectionsPerIp: 0 }
  })
  t.after(() => sidecar.close())
  const socks = await Promise.all(Array.from({ length: 20 }, () => silent(sidecar.port)))
  t.after(() => { for (const s of socks) s.sock.destroy() })
  // The real client keeps trying, as a browser would: it must get in once the silent sockets are gone.
  let answer = { status: 0, text: '' }
  for (let i = 0; i < 40 && answer.status !== 200; i++) {
    answer = await get(sidecar.port)
    if (answer.status !== 200) await new Promise(resolve => setTimeout(resolve, 250))
  }
  t.equal(answer.status, 200, 'the real client was served')
  const closed = await Promise.all(socks.map(s => s.closed))
  t.equal(closed.length, 20, 'every silent socket was closed by the server')
  t.same(closed.filter(c => c !== ''), [], 'silently: there was no request to answer')
})

t.test('a kept-alive connection is not cut by idleTimeout between requests (keepAliveTimeout applies)', async t => {
  const origin = await startOrigin((_req, res) => { res.end('page') })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, server: { idleTimeout: '200ms', keepAliveTimeout: '10s' } })
  t.after(() => sidecar.close())
  const { sock, closed } = await silent(sidecar.port)
  t.after(() => sock.destroy())
  let text = ''
  sock.on('data', (c: Buffer) => { text += c.toString() })
  sock.write('GET /a HTTP/1.1\r\nHost: shop.test\r\n\r\n')
  await new Promise(resolve => setTimeout(resolve, 600))
  sock.write('GET /b HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n')
  await closed
  t.equal(text.match(/HTTP\/1\.1 200 /g)?.length, 2, 'both requests answered on one connection')
})

t.test('server.maxConnectionsPerIp: the next connection from that address gets 429, other addresses are served', async t => {
  const origin = await startOrigin((_req, res) => { res.end('page') })
  t.after(() => origin.close())
  const sidecar = await startSidecar({
    upstream: { url: origin.url },
    // Nothing trusted: every loopback address here is a client of its own.
    server: { trustProxy: [], maxConnectionsPerIp: 5, idleTimeout: '30s' }
  })
  t.after(() => sidecar.close())
  const held = await Promise.all(Array.from({ length: 5 }, () => silent(sidecar.port, '127.0.0.2')))
  t.after(() => { for (const s of held) s.sock.destroy() })
  const over = await get(sidecar.port, '127.0.0.2')
  t.equal(over.status, 429, 'the sixth from 127.0.0.2 is refused')
  t.match(over.text, /SIPUP_ERR_CLIENT_TOO_MANY_CONNECTIONS/)
  t.equal((await get(sidecar.port, '127.0.0.3')).status, 200, 'another address is served')
  held[0].sock.destroy()
  await held[0].closed
  let again = 0
  for (let i = 0; i < 20 && again !== 200; i++) {
    again = (await get(sidecar.port, '127.0.0.2')).status
    if (again !== 200) await new Promise(resolve => setTimeout(resolve, 50))
  }
  t.equal(again, 200, 'a freed slot is usable again')
  t.equal(origin.requests.length, 2)
})

t.test('trusted proxies are exempt from the per-IP cap (nginx in front: every connection is from 127.0.0.1)', async t => {
  const origin = await startOrigin((_req, res) => { res.end('page') })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, server: { maxConnectionsPerIp: 2, idleTimeout: '30s' } })
  t.after(() => sidecar.close())
  const held = await Promise.all(Array.from({ length: 4 }, () => silent(sidecar.port, '127.0.0.1')))
  t.after(() => { for (const s of held) s.sock.destroy() })
  t.equal((await get(sidecar.port, '127.0.0.1')).status, 200)
})
