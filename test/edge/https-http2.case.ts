import http2 from 'node:http2'
import https from 'node:https'
import fs from 'node:fs'
import tls from 'node:tls'
import t from '../helpers/cases.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { makeCert, opensslMissing, tmpDir } from './certs.js'

const skip = opensslMissing()
const dir = skip === false ? tmpDir() : ''
t.teardown(() => { if (dir !== '') fs.rmSync(dir, { recursive: true, force: true }) })

interface H2Answer { status: number, headers: http2.IncomingHttpHeaders, body: string }

function h2get (session: http2.ClientHttp2Session, path: string, extra: http2.OutgoingHttpHeaders = {}): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path, ...extra })
    let body = ''
    let headers: http2.IncomingHttpHeaders = {}
    req.setEncoding('utf8')
    req.on('response', h => { headers = h })
    req.on('data', (c: string) => { body += c })
    req.on('end', () => resolve({ status: Number(headers[':status']), headers, body }))
    req.on('error', reject)
  })
}

function httpsGet (url: string, agent: https.Agent, servername?: string): Promise<{ status: number, headers: Record<string, unknown>, body: string, cert: tls.PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { agent, rejectUnauthorized: false, servername }, res => {
      let body = ''
      const cert = (res.socket as tls.TLSSocket).getPeerCertificate()
      res.setEncoding('utf8')
      res.on('data', (c: string) => { body += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, cert }))
    })
    req.on('error', reject)
  })
}

t.test('HTTPS/1.1 and HTTP/2 through the proxy route, a cache hit and a 429 over HTTP/2', { skip }, async t => {
  const { cert, key } = makeCert(dir, 'main', ['localhost'])
  const origin = await startOrigin((req, res) => {
    if (req.url === '/page') {
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'public, max-age=60', connection: 'keep-alive', 'keep-alive': 'timeout=5' })
      res.end(`<p>proto=${String(req.headers['x-forwarded-proto'])}</p>`)
      return
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' })
    res.end(`hello ${String(req.headers['x-forwarded-proto'])}`)
  })
  t.after(() => origin.close())
  const sc = await startSidecar({
    server: { tls: { cert, key }, http2: true, hsts: { maxAge: '1d' } },
    upstream: { url: origin.url },
    cache: { enabled: true, store: 'memory', rules: [{ path: '/page' }] },
    rateLimit: { enabled: true, store: 'memory', user: { enabled: false }, rules: [{ name: 'tight', path: '/limited', limit: 1, window: '1m' }] }
  })
  t.after(() => sc.close())
  const base = `https://localhost:${sc.port}`

  const agent = new https.Agent({ keepAlive: true })
  t.after(() => agent.destroy())
  const h1 = await httpsGet(`${base}/plain`, agent)
  t.equal(h1.status, 200, 'HTTPS/1.1 by ALPN fallback')
  t.equal(h1.body, 'hello https', 'the origin is told X-Forwarded-Proto: https')
  t.equal(h1.headers['strict-transport-security'], 'max-age=86400', 'HSTS on HTTPS responses')

  const session = http2.connect(base, { rejectUnauthorized: false })
  t.after(() => session.destroy())
  const a = await h2get(session, '/plain')
  t.equal(a.status, 200)
  t.equal(a.body, 'hello https', 'HTTP/2 through the proxy route')
  t.equal(session.alpnProtocol, 'h2')

  const miss = await h2get(session, '/page')
  t.equal(miss.status, 200)
  t.equal(miss.headers['keep-alive'], undefined, 'no connection-specific header on h2')
  const hit = await h2get(session, '/page')
  t.equal(hit.status, 200)
  t.match(String(hit.headers['cache-status']), /hit/, 'a cache hit over HTTP/2')
  t.equal(hit.body, '<p>proto=https</p>')
  t.equal(origin.requests.filter(r => r.url === '/page').length, 1, 'the hit never reached the origin')

  const first = await h2get(session, '/limited')
  t.equal(first.status, 200)
  const limited = await h2get(session, '/limited')
  t.equal(limited.status, 429, 'the rate limiter answers 429 over HTTP/2')
  t.equal(limited.headers.connection, undefined)
  t.ok(Number(limited.headers['retry-after']) > 0)

  const ready = await h2get(session, '/_admin/health')
  t.ok(ready.status < 500, `admin over HTTP/2 answers (${ready.status})`)

  // HSTS on every kind of answer, each written by a different writer, and exactly once.
  const answers = { 'pass-through': a, 'cache miss': miss, 'cache hit': hit, 'a 429': limited, 'an admin answer': ready }
  for (const [name, r] of Object.entries(answers)) {
    t.equal(r.headers['strict-transport-security'], 'max-age=86400', `HSTS on ${name} over HTTP/2`)
  }
  const h1hit = await httpsGet(`${base}/page`, agent)
  t.match(String(h1hit.headers['cache-status']), /hit/)
  t.equal(h1hit.headers['strict-transport-security'], 'max-age=86400', 'HSTS on a cache hit over HTTPS/1.1')
})

t.test('no HSTS when server.hsts.maxAge is 0 (the default)', { skip }, async t => {
  const { cert, key } = makeCert(dir, 'nohsts', ['localhost'])
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({ server: { tls: { cert, key } }, upstream: { url: origin.url } })
  t.after(() => sc.close())
  const agent = new https.Agent({ keepAlive: false })
  t.after(() => agent.destroy())
  const r = await httpsGet(`https://localhost:${sc.port}/`, agent)
  t.equal(r.status, 200)
  t.equal(r.headers['strict-transport-security'], undefined)
})

t.test('SNI picks the certificate of the name asked for', { skip }, async t => {
  const a = makeCert(dir, 'a', ['a.test'])
  const b = makeCert(dir, 'b', ['b.test', '*.b.test'])
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({ server: { tls: { certificates: [{ cert: a.cert, key: a.key }, { cert: b.cert, key: b.key }] } }, upstream: { url: origin.url } })
  t.after(() => sc.close())
  const agent = new https.Agent({ keepAlive: false })
  t.after(() => agent.destroy())
  const url = `https://127.0.0.1:${sc.port}/`
  t.equal((await httpsGet(url, agent, 'a.test')).cert.subject.CN, 'a.test')
  t.equal((await httpsGet(url, agent, 'b.test')).cert.subject.CN, 'b.test')
  t.equal((await httpsGet(url, agent, 'shop.b.test')).cert.subject.CN, 'b.test', 'wildcard name')
  t.equal((await httpsGet(url, agent, 'other.test')).cert.subject.CN, 'a.test', 'unknown name: the first certificate')
})
