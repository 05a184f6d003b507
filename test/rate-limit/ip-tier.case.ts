import t from '../helpers/cases.js'
import { requireRedis } from '../helpers/services.js'
import { IP_ONLY, from, setup } from './fixtures.js'

for (const store of ['memory', 'redis'] as const) {
  t.test(`per-IP limit (${store} store): the limit passes with RateLimit headers, the next gets 429 with Retry-After`, async t => {
    if (store === 'redis' && !await requireRedis(t)) return
    const s = await setup(t, { ...IP_ONLY, ip: { limit: 3, window: '1m' } }, { redis: store === 'redis' })
    for (let i = 0; i < 3; i++) {
      const r = await s.send('/p', { headers: from('203.0.113.1') })
      t.equal(r.status, 200)
      t.equal(r.headers['ratelimit-policy'], '"ip";q=3;w=60')
      // t = seconds until the counter is full again; with nothing left, until the next request is allowed.
      t.equal(r.headers.ratelimit, i < 2 ? `"ip";r=${2 - i};t=${20 * (i + 1)}` : '"ip";r=0;t=20')
    }
    const limited = await s.send('/p', { headers: from('203.0.113.1') })
    t.equal(limited.status, 429)
    t.equal(limited.headers['retry-after'], '20', 'one unit comes back every window / limit')
    t.equal(limited.headers.ratelimit, '"ip";r=0;t=20', 't equals Retry-After when nothing is left')
    t.match(limited.headers['content-type'], /text\/html/)
    t.match(limited.body, /429 Too many requests/)
    t.equal(s.forwarded(), 3, 'the limited request never reached the origin')

    const other = await s.send('/p', { headers: from('203.0.113.2') })
    t.equal(other.status, 200, 'another IP has its own counter')
  })
}

t.test('429 as JSON problem details when the client asks for JSON', async t => {
  const s = await setup(t, { ...IP_ONLY, ip: { limit: 1, window: '10s' } })
  await s.send('/p')
  const r = await s.send('/p', { headers: { accept: 'application/json' } })
  t.equal(r.status, 429)
  t.match(r.headers['content-type'], /application\/problem\+json/)
  const body = JSON.parse(r.body) as Record<string, unknown>
  t.equal(body.type, 'https://iana.org/assignments/http-problem-types#quota-exceeded')
  t.same(body['violated-policies'], ['ip'])
  t.equal(body.code, 'SIPUP_ERR_RATELIMIT_LIMITED')
  t.equal(body.retryAfter, 10)
})

t.test('legacy X-RateLimit-* headers when asked; none of the standard ones when turned off', async t => {
  const s = await setup(t, { ...IP_ONLY, ip: { limit: 5, window: '1m' }, headers: false, legacyHeaders: true })
  const r = await s.send('/p')
  t.equal(r.headers['x-ratelimit-limit'], '5')
  t.equal(r.headers['x-ratelimit-remaining'], '4')
  t.equal(r.headers['x-ratelimit-reset'], '12')
  t.notOk('ratelimit' in r.headers)
  t.notOk('ratelimit-policy' in r.headers)
})

t.test('admin routes are not limited', async t => {
  const s = await setup(t, { ...IP_ONLY, ip: { limit: 1, window: '1m' } })
  await s.send('/p')
  t.equal((await s.send('/p')).status, 429)
  const admin = await s.send('/_admin/ready')
  t.not(admin.status, 429)
  t.notOk('ratelimit' in admin.headers)
})
