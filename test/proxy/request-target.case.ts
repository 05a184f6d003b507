// The request line as clients really send it: absolute-form targets are normalised to origin form before any hook
// (so rate-limit tiers and cache rules apply to them), their authority must match Host, two Host headers are 400,
// `OPTIONS *` is answered by the sidecar itself. Raw bytes: HTTP clients would normalise what is tested here.
import t from '../helpers/cases.js'
import { PassThrough } from 'node:stream'
import { rawRequest } from '../helpers/raw-http.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { loadConfig } from '../../src/sidecar-config.js'
import { runSidecar } from '../../src/run.js'
import { closeGracefully } from '../../src/core/shutdown.js'
import { pino } from 'pino'

const statusOf = (res: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(res)?.[1] ?? 0)
const bodyOf = (res: string): string => res.slice(res.indexOf('\r\n\r\n') + 4)

t.test('absolute-form POST http://host/login.php counts against the login tier, in every spelling', async t => {
  const origin = await startOrigin((req, res) => { req.resume(); req.on('end', () => res.end('ok')) })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, rateLimit: { enabled: true, store: 'memory' }, admin: { enabled: false } })
  t.after(() => sidecar.close())
  // The shipped login rule: 10 POSTs to /login.php per IP per 5 minutes.
  const targets = [
    'http://shop.test/login.php', 'HTTP://shop.test/login.php', 'http://SHOP.TEST/login.php', 'http://shop.test:80/login.php',
    'https://shop.test/login.php', 'https://shop.test:443/login.php', 'Http://Shop.Test/login.php', 'http://shop.test/login.php',
    'http://shop.test/login.php', 'http://shop.test/login.php'
  ]
  for (const target of targets) {
    const res = await rawRequest(sidecar.port, `POST ${target} HTTP/1.1\nHost: shop.test\nContent-Length: 3\nConnection: close\n\na=1`)
    t.equal(statusOf(res), 200, `${target} forwarded`)
  }
  const eleventh = await rawRequest(sidecar.port, 'POST http://shop.test/login.php HTTP/1.1\nHost: shop.test\nContent-Length: 3\nConnection: close\n\na=1')
  t.equal(statusOf(eleventh), 429, 'the 11th is limited by the login tier')
  t.equal(origin.requests.length, 10)
  t.same([...new Set(origin.requests.map(r => r.url))], ['/login.php'], 'the origin only ever sees the origin form')
})

t.test('absolute-form GETs follow the cache rules and share the origin form\'s entry', async t => {
  let n = 0
  const origin = await startOrigin((_req, res) => { res.end(`product #${++n}`) })
  t.after(() => origin.close())
  const sidecar = await startSidecar({
    upstream: { url: origin.url },
    cache: { enabled: true, store: 'memory', rules: [{ name: 'products', path: '/product.php*', ttl: '10m', override: true }] },
    admin: { enabled: false }
  })
  t.after(() => sidecar.close())
  const get = (target: string): Promise<string> => rawRequest(sidecar.port, `GET ${target} HTTP/1.1\nHost: shop.test\nConnection: close\n\n`)
  const first = await get('http://shop.test/product.php?id=1')
  t.match(first, /\r\nx-cache: MISS\r\n/i)
  const second = await get('HTTP://SHOP.TEST:80/product.php?id=1')
  t.match(second, /\r\nx-cache: HIT\r\n/i, 'the rule applies to the absolute form')
  t.equal(bodyOf(second), 'product #1')
  const originForm = await get('/product.php?id=1')
  t.match(originForm, /\r\nx-cache: HIT\r\n/i, 'one entry for both forms')
  t.equal(n, 1)
})

t.test('the path of an absolute-form target is kept as sent; an empty path becomes /', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, admin: { enabled: false } })
  t.after(() => sidecar.close())
  for (const target of ['http://shop.test//x/y.php', 'http://shop.test', 'http://shop.test?a=1', 'http://shop.test/a%2Fb?q=//c']) {
    const res = await rawRequest(sidecar.port, `GET ${target} HTTP/1.1\nHost: shop.test\nConnection: close\n\n`)
    t.equal(statusOf(res), 200, target)
  }
  t.same(origin.requests.map(r => r.url), ['//x/y.php', '/', '/?a=1', '/a%2Fb?q=//c'])
  t.same(origin.requests.map(r => r.headers.host), ['shop.test', 'shop.test', 'shop.test', 'shop.test'])
})

t.test('an absolute-form target whose host differs from Host, or carries user info, is 400 and never forwarded', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, admin: { enabled: false } })
  t.after(() => sidecar.close())
  const bad = [
    'POST http://other.test/login.php HTTP/1.1\nHost: shop.test',
    'GET http://shop.test:8080/ HTTP/1.1\nHost: shop.test',
    'GET https://shop.test:80/ HTTP/1.1\nHost: shop.test',
    'GET http://user:pw@shop.test/ HTTP/1.1\nHost: shop.test',
    'GET ftp://shop.test/ HTTP/1.1\nHost: shop.test',
    'GET http:///login.php HTTP/1.1\nHost: shop.test'
  ]
  for (const head of bad) {
    const res = await rawRequest(sidecar.port, `${head}\nAccept: application/json\nContent-Length: 0\n\n`)
    t.equal(statusOf(res), 400, head.split('\n')[0])
    t.match(JSON.parse(bodyOf(res)), { status: 400, code: 'SIPUP_ERR_REQUEST_INVALID' })
  }
  t.equal(origin.requests.length, 0)
})

t.test('HTTP/1.0 without Host: the target\'s authority becomes the Host', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, admin: { enabled: false } })
  t.after(() => sidecar.close())
  const res = await rawRequest(sidecar.port, 'GET http://Shop.Test/a.php HTTP/1.0\n\n')
  t.match(res, /^HTTP\/1\.1 200 /)
  t.same(origin.requests.map(r => [r.url, r.headers.host]), [['/a.php', 'shop.test']])
})

t.test('two Host headers are 400 with problem details, never forwarded', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => sidecar.close())
  for (const hosts of ['Host: shop.test\nHost: evil.test', 'Host: shop.test\nhost: shop.test', 'HOST: a\nHost: b']) {
    const res = await rawRequest(sidecar.port, `GET /product.php HTTP/1.1\n${hosts}\nAccept: application/json\nConnection: close\n\n`)
    t.equal(statusOf(res), 400, hosts.replace('\n', ' + '))
    t.match(res, /\r\ncontent-type: application\/problem\+json\r\n/i)
    t.match(JSON.parse(bodyOf(res)), { status: 400, code: 'SIPUP_ERR_REQUEST_INVALID', detail: /more than one Host/ })
  }
  // The admin sits behind the same guard.
  const admin = await rawRequest(sidecar.port, 'GET /_admin/health HTTP/1.1\nHost: 127.0.0.1\nHost: evil.test\nConnection: close\n\n')
  t.equal(statusOf(admin), 400)
  t.equal(origin.requests.length, 0)
})

t.test('OPTIONS * is answered by the sidecar with Allow, even with the origin down; other methods with * are 400', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  const url = origin.url
  await origin.close() // nothing listens there any more: a forwarded request would be a 502
  const logLines: Record<string, unknown>[] = []
  const sidecar = await startSidecar({ upstream: { url }, log: { level: 'info', requests: true } }, { logLines })
  t.after(() => sidecar.close())
  const res = await rawRequest(sidecar.port, 'OPTIONS * HTTP/1.1\nHost: shop.test\nConnection: close\n\n')
  t.equal(statusOf(res), 200)
  t.match(res, /\r\nallow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n/i)
  t.match(res, /\r\ncontent-length: 0\r\n/i)
  t.equal(logLines.filter(l => l.upstreamError !== undefined).length, 0, 'no origin error recorded')
  const get = await rawRequest(sidecar.port, 'GET * HTTP/1.1\nHost: shop.test\nConnection: close\n\n')
  t.equal(statusOf(get), 400)
})

t.test('server.host defaults to loopback; the start-up line names the address really bound', async t => {
  t.equal(loadConfig({ env: {} }).config.server.host, '127.0.0.1')
  const { config } = loadConfig({ env: {}, overrides: { server: { host: '0.0.0.0', port: 0 }, redis: { enabled: false }, admin: { enabled: false } } })
  const out = new PassThrough()
  let text = ''
  out.on('data', (c: Buffer) => { text += c.toString() })
  const running = await runSidecar(config, { signals: false, out, logger: pino({ level: 'silent' }) })
  t.after(() => closeGracefully(running.app, 2000))
  t.match(text, /^sipup-sidecar listening on http:\/\/0\.0\.0\.0:\d+ \(every interface/)
  t.match(running.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'the local URL stays usable')
})
