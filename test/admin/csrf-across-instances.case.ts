// Behind a load balancer a dashboard page served by one instance posts to another: the CSRF secret must be the
// fleet's, not the process's. Shared through Redis (set once, read by all) or configured as admin.secret.
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import { hashPassword } from '../../src/admin/password.js'
import { startOrigin, startSidecar, type Sidecar } from '../helpers/sidecar.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { Redis } from 'ioredis'

const PURGE = '/_admin/api/cache/purge'

async function pageToken (url: string, headers: Record<string, string>): Promise<string> {
  const html = await (await fetch(`${url}/_admin`, { headers })).text()
  const m = /<meta name="csrf-token" content="([^"]+)">/.exec(html)
  if (m === null) throw new Error('no CSRF token in the page')
  return m[1]
}

async function purgeStatus (url: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(url + PURGE, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ urls: ['/x'] }) })
  await res.text()
  return res.status
}

async function instances (t: Test, n: number, overrides: (i: number) => Record<string, unknown>): Promise<Sidecar[]> {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const out: Sidecar[] = []
  for (let i = 0; i < n; i++) {
    const sc = await startSidecar({ upstream: { url: origin.url }, cache: { enabled: true, store: 'memory' }, admin: { users: OPS }, ...overrides(i) })
    t.after(() => sc.close())
    out.push(sc)
  }
  return out
}

const OPS = [{ name: 'ops', passwordHash: await hashPassword('pw-ops') }]
const ops = { authorization: `Basic ${Buffer.from('ops:pw-ops').toString('base64')}` }

t.test('instances on one Redis accept each other\'s dashboard tokens; an instance on another prefix does not', async t => {
  if (!await requireRedis(t)) return
  const prefix = uniquePrefix('csrf')
  const client = new Redis(REDIS_URL)
  t.after(async () => { await client.del(`${prefix}admin:csrf-secret`); client.disconnect() })
  const redis = (p: string) => ({ redis: { enabled: true, url: REDIS_URL, keyPrefix: p } })
  const [a, b, other] = await instances(t, 3, i => redis(i < 2 ? prefix : `${prefix}other:`))
  t.after(() => client.del(`${prefix}other:admin:csrf-secret`))
  const fromA = await pageToken(a.url, ops)
  t.equal(await purgeStatus(b.url, { ...ops, 'x-csrf-token': fromA }), 200, 'minted by A, accepted by B')
  t.equal(await purgeStatus(a.url, { ...ops, 'x-csrf-token': await pageToken(b.url, ops) }), 200, 'and the other way round')
  t.equal(await purgeStatus(other.url, { ...ops, 'x-csrf-token': fromA }), 403, 'another fleet refuses it')
  t.not(await client.get(`${prefix}admin:csrf-secret`), null, 'the secret is kept under the fleet\'s prefix')
})

t.test('without Redis, a configured admin.secret makes the token portable; without one it is per process', async t => {
  const [a, b] = await instances(t, 2, () => ({ admin: { users: OPS, secret: 'a-long-shared-secret-for-the-fleet' } }))
  t.equal(await purgeStatus(b.url, { ...ops, 'x-csrf-token': await pageToken(a.url, ops) }), 200, 'same admin.secret: accepted')
  const [c, d] = await instances(t, 2, () => ({ admin: { users: OPS } }))
  t.equal(await purgeStatus(d.url, { ...ops, 'x-csrf-token': await pageToken(c.url, ops) }), 403, 'per-process secrets: refused')
  t.equal(await purgeStatus(c.url, { ...ops, 'x-csrf-token': await pageToken(c.url, ops) }), 200, 'the instance\'s own token still works')
})
