// Optional panels light up when a capability registers its admin API, and say "not enabled"/"cache off" before.
import t from '../helpers/cases.js'
import { buildWithPlugins, testPlugin } from '../helpers/plugin-app.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

interface Panels { metrics: { available: boolean }, cache: { available: boolean }, jobs: { available: boolean, api: Record<string, string> }, db: { available: boolean } }

t.test('cache off → no purge panel; cache on → purge panel', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const off = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => off.close())
  const p1 = await (await fetch(`${off.url}/_admin/api/panels`)).json() as Panels
  t.equal(p1.cache.available, false)
  t.equal(p1.metrics.available, true)
  t.equal(p1.jobs.available, false)
  t.equal(p1.db.available, false)
  const on = await startSidecar({ upstream: { url: origin.url }, cache: { enabled: true, store: 'memory' }, metrics: { enabled: false } })
  t.after(() => on.close())
  const p2 = await (await fetch(`${on.url}/_admin/api/panels`)).json() as Panels
  t.equal(p2.cache.available, true)
  t.equal(p2.metrics.available, false)
  const series = await fetch(`${on.url}/_admin/api/series`)
  await series.text()
  t.equal(series.status, 404, 'no series while metrics are off')
  const overview = await (await fetch(`${on.url}/_admin/api/overview`)).json() as { traffic: unknown, health: unknown[] }
  t.equal(overview.traffic, null)
  t.ok(overview.health.length >= 4, 'health still shown')
})

t.test('a plugin that registers the jobs API lights up the failed-jobs panel', async t => {
  const fakeJobs = testPlugin('fakeJobs', async fastify => {
    fastify.sidecar.addAdminRoutes(async admin => {
      admin.get('/api/jobs/failed', async () => ({ jobs: [{ id: 'j1', queue: 'mail', name: 'send', error: 'SMTP down' }] }))
    })
  })
  const { app } = await buildWithPlugins([fakeJobs])
  t.after(() => app.close())
  const panels = (await app.inject('/_admin/api/panels')).json() as Panels
  t.equal(panels.jobs.available, true)
  t.equal(panels.jobs.api.failed, '/_admin/api/jobs/failed')
  t.equal(panels.db.available, false)
})
