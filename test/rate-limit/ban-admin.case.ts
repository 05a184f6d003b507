// Bans visible and liftable (issue 13 item 11): listed and lifted through the admin API with the memory and the
// Redis store, behind the dashboard's CSRF rule; `bans.exempt` clients are limited but never banned.
import t from '../helpers/cases.js'
import { Redis } from 'ioredis'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { IP_ONLY, from, send, setup, startOriginFor, type Setup } from './fixtures.js'

const BANS = { ...IP_ONLY, ip: { limit: 1, window: '1m' }, bans: { enabled: true, strikes: 1, within: '10m', duration: '1h' } }

/** The CSRF token the dashboard page carries for this (loopback) principal. */
async function csrfToken (s: Setup): Promise<string> {
  const page = await send(s.sidecar.url, '/_admin/')
  const m = /<meta name="csrf-token" content="([^"]+)">/.exec(page.body)
  if (m === null) throw new Error('no csrf token in the dashboard page')
  return m[1]
}

async function banOf (s: Setup, ip: string): Promise<void> {
  const h = from(ip, { accept: 'application/json' })
  await s.send('/p', { headers: h })
  await s.send('/p', { headers: h }) // 429: the one strike that starts the ban
  const r = await s.send('/p', { headers: h })
  if (r.status !== 403) throw new Error(`expected ${ip} banned, got ${r.status}`)
}

interface Listing { store: string, enabled: boolean, exempt: string[], truncated: boolean, bans: { client: string, remainingMs: number, until: string, store: string }[] }

async function listing (s: Setup): Promise<Listing> {
  const r = await send(s.sidecar.url, '/_admin/api/rate-limit/bans')
  if (r.status !== 200) throw new Error(`GET bans: ${r.status} ${r.body}`)
  return JSON.parse(r.body) as Listing
}

async function unban (s: Setup, ip: string, token?: string): Promise<{ status: number, body: Record<string, unknown> }> {
  const r = await send(s.sidecar.url, `/_admin/api/rate-limit/bans/${encodeURIComponent(ip)}`, {
    method: 'DELETE', headers: token === undefined ? {} : { 'x-csrf-token': token }
  })
  return { status: r.status, body: JSON.parse(r.body) as Record<string, unknown> }
}

t.test('memory store: a ban is listed, DELETE without the CSRF token is refused, with it the ban is lifted', async t => {
  const s = await setup(t, BANS)
  const panels = JSON.parse((await send(s.sidecar.url, '/_admin/api/panels')).body) as { bans: { available: boolean, api: Record<string, string> } }
  t.same(panels.bans, { available: true, api: { list: '/_admin/api/rate-limit/bans', unban: '/_admin/api/rate-limit/bans/:ip' } }, 'the dashboard panel lights up')
  await banOf(s, '192.0.2.70')
  const l = await listing(s)
  t.equal(l.store, 'memory')
  t.equal(l.enabled, true)
  t.equal(l.bans.length, 1)
  t.match(l.bans[0], { client: '192.0.2.70', store: 'memory' })
  t.ok(l.bans[0].remainingMs > 3_500_000 && l.bans[0].remainingMs <= 3_600_000, 'about an hour left')
  t.ok(Date.parse(l.bans[0].until) > Date.now() + 3_500_000)

  const refused = await unban(s, '192.0.2.70')
  t.equal(refused.status, 403)
  t.equal(refused.body.code, 'SIPUP_ERR_ADMIN_CSRF')
  t.equal((await s.send('/p', { headers: from('192.0.2.70') })).status, 403, 'still banned')

  const token = await csrfToken(s)
  const lifted = await unban(s, '192.0.2.70', token)
  t.equal(lifted.status, 200)
  t.same(lifted.body, { client: '192.0.2.70', lifted: true })
  t.same((await listing(s)).bans, [])
  t.equal((await s.send('/p', { headers: from('192.0.2.70') })).status, 429, 'limited again (its counter is still empty), no longer banned')

  const again = await unban(s, '192.0.2.79', token)
  t.equal(again.status, 404)
  t.equal(again.body.code, 'SIPUP_ERR_RATELIMIT_BAN_NOT_FOUND')
  const bad = await unban(s, 'not-an-ip', token)
  t.equal(bad.status, 400)
  t.equal(bad.body.code, 'SIPUP_ERR_RATELIMIT_BAD_ADDRESS')
})

t.test('an IPv6 client is banned and lifted per /64: any address of it lifts the ban', async t => {
  const s = await setup(t, BANS)
  await banOf(s, '2001:db8:1:2::7')
  const l = await listing(s)
  t.equal(l.bans[0]?.client, '2001:db8:1:2::')
  const lifted = await unban(s, '2001:db8:1:2::99', await csrfToken(s))
  t.same(lifted.body, { client: '2001:db8:1:2::', lifted: true })
})

t.test('bans.exempt: limited, never banned', async t => {
  const s = await setup(t, { ...BANS, bans: { ...BANS.bans, exempt: ['192.0.2.80/32'] } })
  const h = from('192.0.2.80')
  t.equal((await s.send('/p', { headers: h })).status, 200)
  for (let i = 0; i < 5; i++) t.equal((await s.send('/p', { headers: h })).status, 429, `429 #${i + 1}, no ban`)
  t.same((await listing(s)).bans, [])
  t.same((await listing(s)).exempt, ['192.0.2.80/32'])
  await banOf(s, '192.0.2.81')
})

t.test('Redis store: a ban made on A is listed and lifted through B (A forgets it within BAN_RECHECK_MS: limiter-ban-recheck.case.ts)', async t => {
  if (!await requireRedis(t)) return
  const origin = await startOriginFor(t)
  const prefix = uniquePrefix('rl-ban-admin')
  const a = await setup(t, BANS, { redis: true, origin, prefix })
  const b = await setup(t, BANS, { redis: true, origin, prefix })
  await banOf(a, '192.0.2.90')
  await banOf(a, '192.0.2.91')
  const l = await listing(b)
  t.equal(l.store, 'redis')
  t.same(l.bans.map(x => x.client).sort(), ['192.0.2.90', '192.0.2.91'], 'B lists the bans A made (SCAN over the shared keys)')
  t.ok(l.bans.every(x => x.store === 'redis' && x.remainingMs > 3_500_000))
  t.equal((await b.send('/p', { headers: from('192.0.2.90') })).status, 403, 'banned on B too')

  t.same((await unban(b, '192.0.2.90', await csrfToken(b))).body, { client: '192.0.2.90', lifted: true })
  const client = new Redis(REDIS_URL)
  t.after(() => client.disconnect())
  t.equal(await client.exists(`${prefix}rl:ban:192.0.2.90`, `${prefix}rl:strikes:192.0.2.90`), 0, 'ban and strikes gone from Redis')
  t.same((await listing(a)).bans.map(x => x.client), ['192.0.2.91'], 'A lists what is left')
  t.equal((await b.send('/p', { headers: from('192.0.2.90') })).status, 429, 'B: limited, no longer banned')
})

t.test('Redis store: an exempt client is never banned, even by a ban stored before it was exempted', async t => {
  if (!await requireRedis(t)) return
  const prefix = uniquePrefix('rl-ban-exempt')
  const client = new Redis(REDIS_URL)
  t.after(() => client.disconnect())
  await client.set(`${prefix}rl:ban:127.0.0.1`, '1', 'PX', 3_600_000)
  const s = await setup(t, { ...BANS, bans: { ...BANS.bans, exempt: ['loopback'] } }, { redis: true, prefix })
  t.equal((await s.send('/p')).status, 200, 'the stored ban of 127.0.0.1 is ignored')
  for (let i = 0; i < 3; i++) t.equal((await s.send('/p')).status, 429)
  t.equal(await client.exists(`${prefix}rl:strikes:127.0.0.1`), 0, 'no strike counted')
  t.equal((await s.send('/p', { headers: from('192.0.2.95') })).status, 200, 'others are still bannable')
  await banOf(s, '192.0.2.96')
})

t.test('a script with the admin bearer token lifts a ban without a CSRF token; without credentials it gets a 401', async t => {
  const s = await setup(t, BANS, { overrides: { admin: { token: 'bans-token' } } })
  await banOf(s, '192.0.2.130')
  const anon = await send(s.sidecar.url, '/_admin/api/rate-limit/bans')
  t.equal(anon.status, 401)
  const auth = { authorization: 'Bearer bans-token' }
  const listed = JSON.parse((await send(s.sidecar.url, '/_admin/api/rate-limit/bans', { headers: auth })).body) as Listing
  t.same(listed.bans.map(b => b.client), ['192.0.2.130'])
  const r = await send(s.sidecar.url, '/_admin/api/rate-limit/bans/192.0.2.130', { method: 'DELETE', headers: auth })
  t.equal(r.status, 200)
  t.same(JSON.parse(r.body), { client: '192.0.2.130', lifted: true })
})
