import t from '../helpers/cases.js'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { request } from 'undici'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

async function closedPort (): Promise<number> {
  const srv = createServer()
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve))
  const port = (srv.address() as AddressInfo).port
  await new Promise<void>(resolve => srv.close(() => resolve()))
  return port
}

t.test('origin down: 502 with a small HTML page naming no internals', async t => {
  const port = await closedPort()
  const sidecar = await startSidecar({ upstream: { url: `http://127.0.0.1:${port}` } })
  t.after(() => sidecar.close())
  const res = await request(`${sidecar.url}/product.php?id=1`, { headers: { accept: 'text/html' } })
  const body = await res.body.text()
  t.equal(res.statusCode, 502)
  t.match(res.headers['content-type'], /text\/html/)
  t.match(body, /502 Bad gateway/)
  t.notMatch(body, new RegExp(String(port)), 'no origin port in the page')
  t.notMatch(body, /127\.0\.0\.1|ECONNREFUSED|at .*\.js/, 'no address, errno or stack')
})

t.test('origin down: JSON for clients that ask for JSON', async t => {
  const port = await closedPort()
  const sidecar = await startSidecar({ upstream: { url: `http://127.0.0.1:${port}` } })
  t.after(() => sidecar.close())
  const res = await request(`${sidecar.url}/api/products.php`, { headers: { accept: 'application/json' } })
  t.match(res.headers['content-type'], /^application\/problem\+json/)
  const body = await res.body.json() as { status: number, code: string, title: string, detail: string }
  t.equal(res.statusCode, 502)
  t.equal(body.status, 502)
  t.equal(body.code, 'SIPUP_ERR_UPSTREAM_UNAVAILABLE')
  t.equal(body.title, 'Bad gateway')
  t.match(body.detail, /could not be reached/)
})

t.test('slow origin: 504 after upstream.responseTimeout', async t => {
  const origin = await startOrigin((_req, res) => { setTimeout(() => { res.end('late') }, 2000).unref() })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url, responseTimeout: '200ms' } })
  t.after(() => sidecar.close())
  const res = await request(`${sidecar.url}/search.php`, { headers: { accept: 'application/json' } })
  const body = await res.body.json() as { code: string }
  t.equal(res.statusCode, 504)
  t.equal(body.code, 'SIPUP_ERR_UPSTREAM_TIMEOUT')
})

t.test('origin resets the connection: 502', async t => {
  const origin = await startOrigin(req => { req.socket.destroy() })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => sidecar.close())
  const res = await request(`${sidecar.url}/`)
  await res.body.dump()
  t.equal(res.statusCode, 502)
})

t.test('the proxy survives a failed request and serves the next one', async t => {
  let fail = true
  const origin = await startOrigin((req, res) => { if (fail) { fail = false; req.socket.destroy() } else res.end('fine') })
  t.after(() => origin.close())
  const sidecar = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => sidecar.close())
  const first = await request(`${sidecar.url}/`)
  await first.body.dump()
  const second = await request(`${sidecar.url}/`)
  t.equal(first.statusCode, 502)
  t.equal(second.statusCode, 200)
  t.equal(await second.body.text(), 'fine')
})
