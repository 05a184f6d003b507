// `store: redis` with Redis disabled: the limiter still limits, per instance, and says so.
import t from '../helpers/cases.js'
import { IP_ONLY, from, send, startOriginFor } from './fixtures.js'
import { startSidecar } from '../helpers/sidecar.js'

t.test('store redis without Redis: per-instance limits, feature reported degraded', async t => {
  const origin = await startOriginFor(t)
  const sidecar = await startSidecar({
    upstream: { url: origin.url },
    redis: { enabled: false },
    rateLimit: { enabled: true, store: 'redis', ...IP_ONLY, ip: { limit: 2, window: '1m' } }
  })
  t.after(() => sidecar.close())
  const feature = sidecar.app.sidecar.features.find(f => f.name === 'rateLimit')
  t.equal(feature?.state, 'degraded')
  t.match(feature?.detail, /per instance/)
  const statuses: number[] = []
  for (let i = 0; i < 3; i++) statuses.push((await send(sidecar.url, '/p', { headers: from('192.0.2.1') })).status)
  t.same(statuses, [200, 200, 429])
})

t.test('store memory: reported on, per instance', async t => {
  const origin = await startOriginFor(t)
  const sidecar = await startSidecar({ upstream: { url: origin.url }, rateLimit: { enabled: true, store: 'memory' } })
  t.after(() => sidecar.close())
  const feature = sidecar.app.sidecar.features.find(f => f.name === 'rateLimit')
  t.equal(feature?.state, 'on')
  t.equal(feature?.detail, 'per instance (memory store): 100/1m per IP; 1000/1h per user; rules login 10/5m')
})
