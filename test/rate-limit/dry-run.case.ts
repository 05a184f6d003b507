import t from '../helpers/cases.js'
import { from, setup } from './fixtures.js'

t.test('a dry-run tier lets everything through, logs the outcome and counts it; enforced tiers still apply', async t => {
  const s = await setup(t, {
    ip: { limit: 5, window: '1m' },
    user: { enabled: false },
    rules: [{ name: 'search', path: '/search', limit: 1, window: '1m', dryRun: true }]
  })
  const statuses: number[] = []
  for (let i = 0; i < 3; i++) {
    const r = await s.send('/search', { headers: from('192.0.2.1') })
    statuses.push(r.status)
    t.equal(r.headers['ratelimit-policy'], '"ip";q=5;w=60', 'the dry-run rule is not advertised')
  }
  t.same(statuses, [200, 200, 200])
  const metrics = await s.sidecar.app.sidecar.metrics.getSingleMetricAsString('sipup_rate_limit_decisions_total')
  t.match(metrics, /tier="search",outcome="allowed"} 1/)
  t.match(metrics, /tier="search",outcome="dry_run_would_limit"} 2/)
  t.match(metrics, /tier="ip",outcome="allowed"} 3/)
  // The enforced per-IP tier still limits.
  await s.send('/search', { headers: from('192.0.2.1') })
  await s.send('/search', { headers: from('192.0.2.1') })
  t.equal((await s.send('/search', { headers: from('192.0.2.1') })).status, 429)
})

t.test('the access log carries the outcome', async t => {
  const { startOrigin, startSidecar } = await import('../helpers/sidecar.js')
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const logLines: Record<string, unknown>[] = []
  const sidecar = await startSidecar({
    upstream: { url: origin.url },
    log: { level: 'info', requests: true },
    rateLimit: { enabled: true, store: 'memory', user: { enabled: false }, rules: [], ip: { limit: 1, window: '1m', dryRun: true } }
  }, { logLines })
  t.after(() => sidecar.close())
  const { send } = await import('./fixtures.js')
  await send(sidecar.url, '/a')
  await send(sidecar.url, '/a')
  const outcomes = logLines.filter(l => l.msg === 'request').map(l => l.rateLimit)
  t.same(outcomes, ['allowed', 'dry_run_would_limit'])
})
