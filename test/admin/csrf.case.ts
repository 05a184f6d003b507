// State-changing admin calls made with ambient credentials (Basic, loopback) need the page's CSRF token;
// bearer-token calls don't (a browser never adds that header by itself).
import t from '../helpers/cases.js'
import { hashPassword } from '../../src/admin/password.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

const TOKEN = 'csrf-test-token-0123456789'
const PURGE = '/_admin/api/cache/purge'

async function pageToken (url: string, headers: Record<string, string>): Promise<string> {
  const html = await (await fetch(`${url}/_admin`, { headers })).text()
  const m = /<meta name="csrf-token" content="([^"]+)">/.exec(html)
  if (m === null) throw new Error('no CSRF token in the page')
  return m[1]
}

async function purge (url: string, headers: Record<string, string>): Promise<{ status: number, code: string | undefined }> {
  const res = await fetch(url + PURGE, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ urls: ['/x'] }) })
  const body = await res.json() as { code?: string }
  return { status: res.status, code: body.code }
}

t.test('Basic auth: rejected without the token, accepted with it', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const users = [{ name: 'ops', passwordHash: await hashPassword('pw-ops') }, { name: 'dev', passwordHash: await hashPassword('pw-dev') }]
  const sc = await startSidecar({ upstream: { url: origin.url }, cache: { enabled: true, store: 'memory' }, admin: { token: TOKEN, users } })
  t.after(() => sc.close())
  const ops = { authorization: `Basic ${Buffer.from('ops:pw-ops').toString('base64')}` }
  const dev = { authorization: `Basic ${Buffer.from('dev:pw-dev').toString('base64')}` }

  t.same(await purge(sc.url, ops), { status: 403, code: 'SIPUP_ERR_ADMIN_CSRF' }, 'no token')
  t.same(await purge(sc.url, { ...ops, 'x-csrf-token': 'forged' }), { status: 403, code: 'SIPUP_ERR_ADMIN_CSRF' }, 'forged token')
  const devToken = await pageToken(sc.url, dev)
  t.same(await purge(sc.url, { ...ops, 'x-csrf-token': devToken }), { status: 403, code: 'SIPUP_ERR_ADMIN_CSRF' }, 'another user\'s token')
  const opsToken = await pageToken(sc.url, ops)
  t.equal((await purge(sc.url, { ...ops, 'x-csrf-token': opsToken })).status, 200, 'own token')
  t.equal((await purge(sc.url, { authorization: `Bearer ${TOKEN}` })).status, 200, 'bearer token needs no CSRF token')
})

t.test('loopback trust: rejected without the token, accepted with it', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({ upstream: { url: origin.url }, cache: { enabled: true, store: 'memory' } })
  t.after(() => sc.close())
  t.same(await purge(sc.url, {}), { status: 403, code: 'SIPUP_ERR_ADMIN_CSRF' })
  t.equal((await purge(sc.url, { 'x-csrf-token': await pageToken(sc.url, {}) })).status, 200)
})
