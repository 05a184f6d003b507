// Token leasing for large limits: one Redis call reserves a chunk that the instance spends locally. Never more
// than the limit across instances; at most one chunk per instance less.
import t from '../helpers/cases.js'
import { Redis } from 'ioredis'
import { Agent, request } from 'undici'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { counterFields, from, setup, startOriginFor } from './fixtures.js'

const LIMIT = 200
const CHUNK = 10
const rl = {
  ip: { enabled: false },
  rules: [],
  identity: { cookie: '', header: 'x-api-key' },
  user: { limit: LIMIT, window: '1h' },
  lease: { minLimit: 100, fraction: CHUNK / LIMIT }
}

t.test('one store call reserves a chunk; the next requests are answered locally', async t => {
  if (!await requireRedis(t)) return
  const s = await setup(t, rl, { redis: true })
  const client = new Redis(REDIS_URL)
  t.after(() => client.quit())
  const first = await s.send('/p', { headers: from('192.0.2.1', { 'x-api-key': 'k' }) })
  t.equal(first.status, 200)
  t.match(first.headers.ratelimit, /^"user";r=199;/, 'the client sees what is left overall')
  const keys = await client.keys(`${s.prefix}rl:k:*`)
  t.equal(keys.length, 1)
  const value = await client.get(keys[0]) as string
  const tat = (await counterFields(client, keys[0]))?.user ?? NaN
  const taken = Math.round((tat - Date.now()) / (3_600_000 / LIMIT))
  t.equal(taken, CHUNK, 'Redis shows a whole chunk reserved by the first request')
  for (let i = 0; i < CHUNK - 1; i++) t.equal((await s.send('/p', { headers: from('192.0.2.1', { 'x-api-key': 'k' }) })).status, 200)
  t.equal(await client.get(keys[0]), value, 'the rest of the chunk was spent without touching Redis')
})

t.test('two leasing instances never admit more than the limit', async t => {
  if (!await requireRedis(t)) return
  const origin = await startOriginFor(t)
  const prefix = uniquePrefix('rl-lease')
  const a = await setup(t, rl, { redis: true, origin, prefix })
  const b = await setup(t, rl, { redis: true, origin, prefix })
  const agent = new Agent({ connections: 32 })
  t.after(() => agent.close())
  const statuses = await Promise.all(Array.from({ length: LIMIT * 3 }, async (_, i) => {
    const res = await request(`${i % 2 === 0 ? a.sidecar.url : b.sidecar.url}/p`, { dispatcher: agent, headers: from('192.0.2.9', { 'x-api-key': 'shared' }) })
    await res.body.dump()
    return res.statusCode
  }))
  const ok = statuses.filter(s => s === 200).length
  t.ok(ok <= LIMIT, `admitted ${ok}, never more than ${LIMIT}`)
  t.ok(ok >= LIMIT - 2 * CHUNK, `admitted ${ok}, at most one chunk per instance less`)
  t.equal(statuses.filter(s => s !== 200 && s !== 429).length, 0)
})
