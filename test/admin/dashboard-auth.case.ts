// The dashboard and /metrics sit behind the admin auth: 401 without credentials, 200 with the bearer token or a
// Basic user; with no credentials configured only loopback clients get in.
import t from '../helpers/cases.js'
import { request } from 'undici'
import { hashPassword } from '../../src/admin/password.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

const TOKEN = 'test-admin-token-0123456789'

t.test('401 without credentials, 200 with token or Basic', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const passwordHash = await hashPassword('correct horse')
  const sc = await startSidecar({ upstream: { url: origin.url }, admin: { token: TOKEN, users: [{ name: 'ops', passwordHash }] } })
  t.after(() => sc.close())
  const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

  for (const path of ['/_admin', '/_admin/metrics', '/_admin/api/overview', '/_admin/api/config', '/_admin/api/live', '/_admin/assets/dashboard.js']) {
    const anon = await fetch(sc.url + path)
    await anon.text()
    t.equal(anon.status, 401, `${path} without credentials`)
    t.match(anon.headers.get('www-authenticate'), /^Basic /)
    const wrong = await fetch(sc.url + path, { headers: { authorization: basic('ops', 'wrong') } })
    await wrong.text()
    t.equal(wrong.status, 401, `${path} with a wrong password`)
  }
  const page = await fetch(`${sc.url}/_admin`, { headers: { authorization: basic('ops', 'correct horse') } })
  t.equal(page.status, 200)
  t.match(await page.text(), /<meta name="csrf-token" content="[\w-]{20,}">/)
  const metrics = await fetch(`${sc.url}/_admin/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
  t.equal(metrics.status, 200)
  t.match(metrics.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  await metrics.text()
  const asset = await fetch(`${sc.url}/_admin/assets/uplot.js`, { headers: { authorization: `Bearer ${TOKEN}` } })
  t.equal(asset.status, 200)
  t.match(asset.headers.get('content-type'), /javascript/)
  t.match(await asset.text(), /uPlot/)
})

t.test('no credentials configured: loopback clients only', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => sc.close())
  const local = await fetch(`${sc.url}/_admin`)
  await local.text()
  t.equal(local.status, 200, 'loopback client')
  // A client behind the trusted local proxy (X-Forwarded-For) is not loopback.
  const remote = await fetch(`${sc.url}/_admin/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })
  await remote.text()
  t.equal(remote.status, 403, 'remote client')
  // fetch() may not set Host; undici's request() may.
  const rebinding = await request(`${sc.url}/_admin`, { headers: { host: 'evil.example' } })
  const body = await rebinding.body.json() as { code: string }
  t.equal(rebinding.statusCode, 403, 'a loopback client naming another host (DNS rebinding) is refused')
  t.equal(body.code, 'SIPUP_ERR_ADMIN_HOST')
})

t.test('the separate metrics port serves /metrics without auth, and nothing else', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  // Port 0 means "off" in config, so find a free one.
  const probe = await startOrigin((_req, res) => { res.end() })
  const port = probe.port
  await probe.close()
  const sc = await startSidecar({ upstream: { url: origin.url }, admin: { token: TOKEN }, metrics: { port } })
  t.after(() => sc.close())
  await (await fetch(`${sc.url}/x`)).text()
  const res = await fetch(`http://127.0.0.1:${port}/metrics`)
  t.equal(res.status, 200)
  t.match(await res.text(), /sipup_http_requests_total\{route="proxy",method="GET",status_class="2xx",cache="none"\} 1/)
  const other = await fetch(`http://127.0.0.1:${port}/_admin/api/config`)
  await other.text()
  t.equal(other.status, 404)
  const admin = await fetch(`${sc.url}/_admin/metrics`)
  await admin.text()
  t.equal(admin.status, 401, 'still behind auth on the admin prefix')
})
