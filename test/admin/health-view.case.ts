// Traffic lights: red when the site suffers, amber when the sidecar degrades around an outage, grey when off.
import t from '../helpers/cases.js'
import { healthLights } from '../../src/admin/dashboard/health-view.js'

const byName = (lights: ReturnType<typeof healthLights>): Record<string, { light: string, reason: string }> =>
  Object.fromEntries(lights.map(l => [l.name, { light: l.light, reason: l.reason }]))

t.test('all healthy', async t => {
  const l = byName(healthLights({ upstream: { ok: true }, redis: { ok: true } }, [{ name: 'redis', state: 'on', detail: 'shared' }]))
  t.same(l.upstream, { light: 'green', reason: 'ok' })
  t.same(l.redis, { light: 'green', reason: 'shared' })
  t.equal(l.mysql.light, 'grey')
  t.equal(l.workers.light, 'grey')
  t.match(l.workers.reason, 'not enabled')
})

t.test('origin down is red, Redis down is amber, with the reason', async t => {
  const l = byName(healthLights({ upstream: { ok: false, reason: 'ECONNREFUSED' }, redis: { ok: false, reason: 'timeout' } }, []))
  t.same(l.upstream, { light: 'red', reason: 'ECONNREFUSED' })
  t.same(l.redis, { light: 'amber', reason: 'timeout' })
})

t.test('a degraded feature is amber; an off feature is grey with its detail', async t => {
  const l = byName(healthLights({}, [
    { name: 'jobs', state: 'degraded', detail: 'workers paused' },
    { name: 'redis', state: 'off', detail: 'redis.enabled is false' }
  ]))
  t.same(l.workers, { light: 'amber', reason: 'workers paused' })
  t.same(l.redis, { light: 'grey', reason: 'redis.enabled is false' })
  t.equal(l.upstream.light, 'grey')
})

t.test('other health checks are listed too', async t => {
  const l = byName(healthLights({ upstream: { ok: true }, db: { ok: false, reason: 'access denied' }, 'cache-store': { ok: false, reason: 'full' } }, []))
  t.same(l.mysql, { light: 'amber', reason: 'access denied' }, 'db counts as MySQL')
  t.same(l['cache-store'], { light: 'red', reason: 'full' })
})
