// CVE-2023-44487: a client that opens and cancels streams in a loop gets its connection closed.
import http2 from 'node:http2'
import fs from 'node:fs'
import { once } from 'node:events'
import t from 'tap'
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

  const attacker = http2.connect(base, { rejectUnauthorized: false })
  let normal: http2.ClientHttp2Session | null = null
  let loop: NodeJS.Timeout | undefined
  // One teardown, in order: clients first, so the server's close never waits on a session.
  t.after(async () => {
    clearInterval(loop)
    attacker.destroy()
    normal?.destroy()
    await sc.close()
    await origin.close()
  })
  attacker.on('error', () => {})
  await once(attacker, 'connect')
  // Not events.once: the session ends with an error (ENHANCE_YOUR_CALM), which would reject it.
  const closed = new Promise<void>(resolve => { attacker.once('close', () => resolve()) })
  let goaway = -1
  attacker.once('goaway', (code: number) => { goaway = code })
  let opened = 0
  // Open and cancel at once, as long as the session lets us: the server must end it after maxResets.
  loop = setInterval(() => {
    // Bounded: a server that never closes the session fails the assertion below instead of hanging the test.
    if (opened >= 20_000) { attacker.destroy(); return }
    for (let i = 0; i < 10 && !attacker.destroyed && !attacker.closed; i++) {
      try {
        const s = attacker.request({ ':path': '/x' })
        s.on('error', () => {})
        s.close(http2.constants.NGHTTP2_CANCEL)
        opened++
      } catch { /* the session is going away */ }
    }
  }, 5)
  await closed
  clearInterval(loop)
  t.ok(opened > 20 && opened < 20_000, `the session was closed after ${opened} cancelled streams`)
  t.equal(goaway, http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, 'GOAWAY ENHANCE_YOUR_CALM')

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
