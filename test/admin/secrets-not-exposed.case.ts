// Secrets from the config never leave through the admin: not in the config view, the metrics, the overview or
// the page. The config view still shows which settings are in effect.
import t from '../helpers/cases.js'
import { REDACTED } from '../../src/config/redact.js'
import { hashPassword } from '../../src/admin/password.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

const ADMIN_TOKEN = 'admin-token-SECRET-4f9a2b'
const DB_PASSWORD = 'db-password-SECRET-77c1'
const REDIS_PASSWORD = 'redis-password-SECRET-e3d0'

t.test('no secret in any admin answer', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const passwordHash = await hashPassword('user-password')
  const sc = await startSidecar({
    upstream: { url: origin.url },
    admin: { token: ADMIN_TOKEN, users: [{ name: 'ops', passwordHash }] },
    mysql: { url: `mysql://shop:${DB_PASSWORD}@127.0.0.1:1/shop` },
    redis: { enabled: false, url: `redis://:${REDIS_PASSWORD}@127.0.0.1:6379/0` }
  })
  t.after(() => sc.close())
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}` }
  await (await fetch(`${sc.url}/page?token=${ADMIN_TOKEN}`)).text()
  const secrets = [ADMIN_TOKEN, DB_PASSWORD, REDIS_PASSWORD, passwordHash, passwordHash.split('$')[5]]
  for (const path of ['/_admin/api/config', '/_admin/metrics', '/_admin/api/overview', '/_admin/api/features', '/_admin/api/panels', '/_admin']) {
    const res = await fetch(sc.url + path, { headers })
    const body = await res.text()
    t.equal(res.status, 200, path)
    for (const s of secrets) t.notOk(body.includes(s), `${path} does not contain a secret`)
  }
  const config = await (await fetch(`${sc.url}/_admin/api/config`, { headers })).json() as {
    admin: { token: string, users: { name: string, passwordHash: string }[] }, mysql: { url: string }, redis: { url: string }, upstream: { url: string }
  }
  t.equal(config.admin.token, REDACTED)
  t.same(config.admin.users, [{ name: 'ops', passwordHash: REDACTED }])
  t.equal(config.mysql.url, `mysql://shop:${REDACTED}@127.0.0.1:1/shop`)
  t.equal(config.redis.url, `redis://:${REDACTED}@127.0.0.1:6379/0`)
  t.equal(config.upstream.url, origin.url, 'non-secrets are shown as they are')
})
