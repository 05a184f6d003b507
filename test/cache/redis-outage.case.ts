// Redis unreachable: the cache keeps serving from memory, says so once, and reports a health reason.
import t from '../helpers/cases.js'
import { request } from 'undici'
import { page, setupCache } from './fixtures/setup.js'

t.test('a tiered cache without Redis serves from memory and reports it', async t => {
  const c = await setupCache(t, { '/a': page({ 'cache-control': 'max-age=60' }, n => `a${n}`) }, { store: 'tiered' },
    { redis: { enabled: true, url: 'redis://127.0.0.1:1', connectTimeout: '100ms' }, admin: { enabled: true, token: 'secret' } })
  await c.get('/a')
  const hit = await c.get('/a')
  t.equal(hit.headers['x-cache'], 'HIT')
  t.equal(c.hits('/a'), 1)
  const res = await request(c.sidecar.url + '/_admin/api/features', { headers: { authorization: 'Bearer secret' } })
  const body = await res.body.json() as { features: { name: string, state: string, detail: string }[], health: Record<string, { ok: boolean, reason?: string }> }
  const cache = body.features.find(f => f.name === 'cache')
  t.equal(cache?.state, 'degraded')
  t.match(cache?.detail, /Redis unreachable/)
  t.equal(body.health.cache.ok, false)
  t.match(body.health.cache.reason, /serves from memory only/)
})

t.test('with Redis disabled, tiered runs from memory and the feature says so', async t => {
  const c = await setupCache(t, {}, { store: 'tiered' })
  const f = c.sidecar.app.sidecar.features.find(x => x.name === 'cache')
  t.equal(f?.state, 'on')
  t.match(f?.detail, /memory store, per instance \(cache\.store is 'tiered' but redis\.enabled is false\)/)
})
