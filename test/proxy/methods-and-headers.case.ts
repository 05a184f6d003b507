import type { Test } from 'tap'
import t from '../helpers/cases.js'
import { request } from 'undici'
import { rawRequest } from '../helpers/raw-http.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

interface Echo { method: string, url: string, length: number, headers: Record<string, string> }

async function setup (t: Test, overrides: Record<string, unknown> = {}) {
  const origin = await startOrigin((req, res) => {
    let length = 0
    req.on('data', (c: Buffer) => { length += c.length })
    req.on('end', () => {
      if (req.url?.startsWith('/status/')) {
        res.statusCode = Number(req.url.slice(8))
        res.setHeader('x-origin', 'yes')
        res.end(req.method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304 ? undefined : `status ${res.statusCode}`)
        return
      }
      res.setHeader('content-type', 'application/json')
      res.setHeader('set-cookie', ['a=1; path=/', 'b=2; path=/'])
      res.setHeader('connection', 'keep-alive, x-hop')
      res.setHeader('x-hop', 'should not pass')
      res.end(JSON.stringify({ method: req.method, url: req.url, length, headers: req.headers }))
    })
  })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url }, ...overrides })
  t.after(() => sidecar.close())
  return { origin, sidecar }
}

t.test('every method reaches the origin with its body, path and query', async t => {
  const { sidecar } = await setup(t)
  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PURGE', 'PROPFIND']) {
    const body = method === 'GET' || method === 'OPTIONS' ? undefined : `body of ${method}`
    const res = await request(`${sidecar.url}/a/b.php?x=1&y=%20z`, { method, body })
    const echo = await res.body.json() as Echo
    t.equal(res.statusCode, 200, `${method} status`)
    t.equal(echo.method, method, `${method} method`)
    t.equal(echo.url, '/a/b.php?x=1&y=%20z', `${method} path and query`)
    t.equal(echo.length, body === undefined ? 0 : Buffer.byteLength(body), `${method} body length`)
  }
})

t.test('HEAD gets headers and no body', async t => {
  const { sidecar } = await setup(t)
  const res = await request(`${sidecar.url}/status/200`, { method: 'HEAD' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-origin'], 'yes')
  t.equal(await res.body.text(), '')
})

t.test('status codes pass through unchanged', async t => {
  const { sidecar } = await setup(t)
  for (const status of [201, 204, 301, 304, 400, 404, 418, 500, 503]) {
    const res = await request(`${sidecar.url}/status/${status}`)
    const text = await res.body.text()
    t.equal(res.statusCode, status, `status ${status}`)
    t.equal(res.headers['x-origin'], 'yes', `origin headers on ${status}`)
    if (status !== 204 && status !== 304) t.equal(text, `status ${status}`)
  }
})

t.test('hop-by-hop headers are dropped both ways, end-to-end headers kept', async t => {
  const { sidecar } = await setup(t)
  const res = await request(`${sidecar.url}/h`, {
    headers: { 'x-custom': 'kept', te: 'trailers', 'proxy-authorization': 'Basic eA==' }
  })
  const echo = await res.body.json() as Echo
  t.equal(echo.headers['x-custom'], 'kept')
  t.notOk('te' in echo.headers, 'TE dropped')
  t.notOk('proxy-authorization' in echo.headers, 'Proxy-Authorization dropped')
  const raw = await rawRequest(sidecar.port, 'GET /h HTTP/1.1\nHost: x\nConnection: close, X-Client-Hop\nX-Client-Hop: dropped\nX-Kept: yes\n\n')
  const rawEcho = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Echo
  t.notOk('x-client-hop' in rawEcho.headers, 'header named in Connection dropped')
  t.equal(rawEcho.headers['x-kept'], 'yes')
  t.same(res.headers['set-cookie'], ['a=1; path=/', 'b=2; path=/'], 'repeated Set-Cookie kept as separate headers')
  t.notOk('x-hop' in res.headers, 'response header named in Connection dropped')
})

t.test('Host is passed through by default and replaced when preserveHost is false', async t => {
  const a = await setup(t)
  const r1 = await request(`${a.sidecar.url}/`, { headers: { host: 'shop.example:8080' } })
  t.equal((await r1.body.json() as Echo).headers.host, 'shop.example:8080')
  const b = await setup(t, { upstream: { url: a.origin.url, preserveHost: false } })
  const r2 = await request(`${b.sidecar.url}/`, { headers: { host: 'shop.example:8080' } })
  const echo = await r2.body.json() as Echo
  t.equal(echo.headers.host, `127.0.0.1:${a.origin.port}`)
  t.equal(echo.headers['x-forwarded-host'], 'shop.example:8080', 'the client host stays visible in X-Forwarded-Host')
})

t.test('headers a client could poison the origin with are dropped', async t => {
  const { sidecar } = await setup(t)
  const res = await request(`${sidecar.url}/`, { headers: { 'x-original-url': '/admin', 'x-rewrite-url': '/admin', 'x-forwarded-scheme': 'https', forwarded: 'for=1.2.3.4' } })
  const echo = await res.body.json() as Echo
  for (const h of ['x-original-url', 'x-rewrite-url', 'x-forwarded-scheme', 'forwarded']) t.notOk(h in echo.headers, `${h} dropped`)
})
