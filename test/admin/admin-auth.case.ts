import type { Test } from 'tap'
import t from '../helpers/cases.js'
import { request } from 'undici'
import { hashPassword } from '../../src/admin/password.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

async function origin (t: Test) {
  const o = await startOrigin((_req, res) => { res.end('origin') })
  t.after(() => o.close())
  return o
}

t.test('health and readiness answer without credentials', async t => {
  const o = await origin(t)
  const sc = await startSidecar({ upstream: { url: o.url }, admin: { token: 'tok' } })
  t.after(() => sc.close())
  const health = await request(`${sc.url}/_admin/health`)
  t.same(await health.body.json(), { status: 'ok' })
  const ready = await request(`${sc.url}/_admin/ready`)
  t.equal(ready.statusCode, 200)
  t.match(await ready.body.json(), { ready: true, checks: { upstream: { ok: true } } })
})

t.test('readiness is 503 with the reason when the origin is down', async t => {
  const sc = await startSidecar({ upstream: { url: 'http://127.0.0.1:9' } })
  t.after(() => sc.close())
  const ready = await request(`${sc.url}/_admin/ready`)
  t.equal(ready.statusCode, 503)
  t.match(await ready.body.json(), { ready: false, checks: { upstream: { ok: false, reason: /origin unreachable/ } } })
})

t.test('bearer token: 401 without it or with a wrong one, 200 with it', async t => {
  const o = await origin(t)
  const sc = await startSidecar({ upstream: { url: o.url }, admin: { token: 'right-token' } })
  t.after(() => sc.close())
  const none = await request(`${sc.url}/_admin/api/features`)
  t.equal(none.statusCode, 401)
  t.match(none.headers['www-authenticate'], /^Bearer/)
  t.match(await none.body.json(), { code: 'SIPUP_ERR_ADMIN_UNAUTHORIZED' })
  const wrong = await request(`${sc.url}/_admin/api/features`, { headers: { authorization: 'Bearer wrong-token' } })
  await wrong.body.dump()
  t.equal(wrong.statusCode, 401)
  const right = await request(`${sc.url}/_admin/api/features`, { headers: { authorization: 'Bearer right-token' } })
  t.equal(right.statusCode, 200)
  t.match(await right.body.json(), { features: Array })
})

t.test('basic-auth users with scrypt hashes', async t => {
  const o = await origin(t)
  const sc = await startSidecar({ upstream: { url: o.url }, admin: { users: [{ name: 'ops', passwordHash: await hashPassword('pa55') }] } })
  t.after(() => sc.close())
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`
  const none = await request(`${sc.url}/_admin/api/features`)
  await none.body.dump()
  t.equal(none.statusCode, 401)
  t.match(none.headers['www-authenticate'], /^Basic realm=/)
  const wrong = await request(`${sc.url}/_admin/api/features`, { headers: { authorization: basic('ops', 'nope') } })
  await wrong.body.dump()
  t.equal(wrong.statusCode, 401)
  const right = await request(`${sc.url}/_admin/api/features`, { headers: { authorization: basic('ops', 'pa55') } })
  await right.body.dump()
  t.equal(right.statusCode, 200)
})

t.test('with no credentials configured only loopback clients get in (the real client, after trusted X-Forwarded-For)', async t => {
  const o = await origin(t)
  const sc = await startSidecar({ upstream: { url: o.url } })
  t.after(() => sc.close())
  const local = await request(`${sc.url}/_admin/api/features`)
  await local.body.dump()
  t.equal(local.statusCode, 200)
  // A visitor reaching the sidecar through a local nginx is not loopback.
  const remote = await request(`${sc.url}/_admin/api/features`, { headers: { 'x-forwarded-for': '203.0.113.9' } })
  t.equal(remote.statusCode, 403)
  t.match(await remote.body.json(), { code: 'SIPUP_ERR_ADMIN_FORBIDDEN' })
})

t.test('unknown admin paths are 404 from the sidecar, never proxied to the origin', async t => {
  const o = await origin(t)
  const sc = await startSidecar({ upstream: { url: o.url }, admin: { token: 'tok' } })
  t.after(() => sc.close())
  const res = await request(`${sc.url}/_admin/nope`, { headers: { authorization: 'Bearer tok' } })
  t.equal(res.statusCode, 404)
  await res.body.dump()
  t.equal(o.requests.length, 0)
})

t.test('admin.prefix moves the admin, and the old path reaches the origin', async t => {
  const o = await origin(t)
  const sc = await startSidecar({ upstream: { url: o.url }, admin: { prefix: '/_sidecar' } })
  t.after(() => sc.close())
  const moved = await request(`${sc.url}/_sidecar/health`)
  t.same(await moved.body.json(), { status: 'ok' })
  const old = await request(`${sc.url}/_admin/health`)
  t.equal(await old.body.text(), 'origin')
})
