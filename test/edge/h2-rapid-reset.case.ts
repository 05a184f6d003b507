// CVE-2023-44487: a client that opens and cancels streams in a loop gets its connection closed.
import http2 from 'node:http2'
import tls from 'node:tls'
import fs from 'node:fs'
import { once } from 'node:events'
import t from '../helpers/cases.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { makeCert, opensslMissing, tmpDir } from './certs.js'

const skip = opensslMissing()
const dir = skip === false ? tmpDir() : ''
t.teardown(() => { if (dir !== '') fs.rmSync(dir, { recursive: true, force: true }) })

t.test('rapid-reset connections are closed, a normal client is not', { skip }, async t => {
  const { cert, key } = makeCert(dir, 'rr', ['localhost'])
  const origin = await startOrigin((_req, res) => { setTimeout(() => res.end('slow'), 50) })
  const sc = await startSidecar({ server: { tls: { cert, key }, http2: true, http2Limits: { maxResets: 20, resetWindow: '1m' } }, upstream: { url: origin.url } })
  const base = `https://localhost:${sc.port}`

  // The attacker writes the frames itself: Node's own client drops a stream it cancels before sending it, so it
  // can't be trusted to put HEADERS and RST_STREAM on the wire back to back, which is the attack.
  const attacker = tls.connect({ host: '127.0.0.1', port: sc.port, servername: 'localhost', ALPNProtocols: ['h2'], rejectUnauthorized: false })
  let normal: http2.ClientHttp2Session | null = null
  // One teardown, in order: clients first, so the server's close never waits on a session.
  t.after(async () => {
    attacker.destroy()
    normal?.destroy()
    await sc.close()
    await origin.close()
  })
  attacker.on('error', () => {})
  await once(attacker, 'secureConnect')
  t.equal(attacker.alpnProtocol, 'h2')
  const frame = (type: number, flags: number, stream: number, payload: Buffer): Buffer => {
    const head = Buffer.alloc(9)
    head.writeUIntBE(payload.length, 0, 3)
    head[3] = type
    head[4] = flags
    head.writeUInt32BE(stream, 5)
    return Buffer.concat([head, payload])
  }
  // HPACK: :method GET, :path /, :scheme https (static table), :authority localhost (literal, indexed name 1).
  const block = Buffer.concat([Buffer.from([0x82, 0x84, 0x87, 0x41, 9]), Buffer.from('localhost')])
  const cancel = Buffer.alloc(4)
  cancel.writeUInt32BE(http2.constants.NGHTTP2_CANCEL)
  const goaways: number[] = []
  let pending = Buffer.alloc(0)
  attacker.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    while (pending.length >= 9) {
      const len = pending.readUIntBE(0, 3)
      if (pending.length < 9 + len) break
      if (pending[3] === 0x7 && len >= 8) goaways.push(pending.readUInt32BE(9 + 4))
      pending = pending.subarray(9 + len)
    }
  })
  const closed = once(attacker, 'close')
  attacker.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(0x4, 0, 0, Buffer.alloc(0))]))
  // HEADERS then RST_STREAM for stream after stream, as fast as the socket takes them, far past maxResets (20).
  let sent = 0
  for (let id = 1; id < 2 * 1000 && !attacker.destroyed; id += 2) {
    const ok = attacker.write(Buffer.concat([frame(0x1, 0x5, id, block), frame(0x3, 0, id, cancel)]))
    sent++
    if (!ok) await Promise.race([once(attacker, 'drain'), closed])
  }
  await closed
  t.ok(sent > 20, `the server closed the connection (${sent} streams opened and reset were written)`)
  t.equal(goaways[0], http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, `GOAWAY ENHANCE_YOUR_CALM first (got ${goaways.join(', ')})`)

  const client = http2.connect(base, { rejectUnauthorized: false })
  normal = client
  const answers = await Promise.all([1, 2, 3].map(() => new Promise<number>((resolve, reject) => {
    const r = client.request({ ':path': '/ok' })
    r.on('response', h => { resolve(Number(h[':status'])) })
    r.on('error', reject)
    r.resume()
  })))
  t.same(answers, [200, 200, 200], 'a well-behaved client keeps its session')
})
