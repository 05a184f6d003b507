// The cache's context lookups (scope: context) wait in the high lane under origin protection: a new session's
// requests all bypass the cache until its lookup is answered, so in the low lane (the sidecar's own requests) they
// were shed first and the session's pages went to the origin instead. The lookups are counted by outcome.
import t from '../helpers/cases.js'
import { client, countingOrigin, gauge, get, guardedSidecar, until } from './helpers.js'

const CACHE = {
  enabled: true,
  sessionCookie: 'PHPSESSID',
  context: { endpoint: '/sidecar-context.php' },
  rules: [{ name: 'group-pages', path: '/page', ttl: '1m', override: true, scope: 'context' }]
}

/** Context endpoint requests that ended with `outcome` (the histogram's count). */
async function fetches (sc: Awaited<ReturnType<typeof guardedSidecar>>, outcome: string): Promise<number> {
  const m = await sc.app.sidecar.metrics.getSingleMetric('sipup_cache_context_fetch_seconds')?.get()
  const v = m?.values.find(x => (x as { metricName?: string }).metricName === 'sipup_cache_context_fetch_seconds_count' && x.labels.outcome === outcome)
  return v?.value ?? 0
}

t.test('a context lookup is served before queued visitor requests of the normal lane', async t => {
  const o = await countingOrigin(t, 0, (req, res) => {
    if (req.url === '/sidecar-context.php') res.setHeader('x-user-context-hash', 'group-a')
    res.setHeader('content-type', 'text/plain')
    res.end(`ok ${req.url ?? ''}`)
  })
  const sc = await guardedSidecar(t, o.origin, { maxConcurrent: 1, queue: { size: 10, timeout: '10s' } }, { cache: CACHE })
  const agent = client(t)
  const held = get(agent, `${sc.url}/held`)
  await until('held at the origin', () => o.active === 1)
  const normal = get(agent, `${sc.url}/n1`)
  await until('/n1 queued', async () => await gauge(sc, 'sipup_origin_queue_depth', { lane: 'normal' }) === 1)
  const page = get(agent, `${sc.url}/page`, { cookie: 'PHPSESSID=s1' })
  await until('the context lookup queued in the high lane', async () => await gauge(sc, 'sipup_origin_queue_depth', { lane: 'high' }) === 1)
  o.releaseAll()
  await held
  t.equal((await normal).status, 200)
  const r = await page
  t.equal(r.status, 200)
  t.equal(r.headers['cache-status'], 'sipup; fwd=miss; stored', 'the page was keyed on its context, not bypassed')
  t.same(o.seen, ['/held', '/sidecar-context.php', '/n1', '/page'])
  t.equal(await gauge(sc, 'sipup_cache_context_lookups_total', { result: 'asked' }), 1)
  t.equal(await fetches(sc, 'ok'), 1)
  const again = await get(agent, `${sc.url}/page`, { cookie: 'PHPSESSID=s1' })
  t.equal(again.headers['cache-status'], 'sipup; hit')
  t.equal(await gauge(sc, 'sipup_cache_context_lookups_total', { result: 'remembered' }), 1)
})

t.test('a shed context lookup makes the request bypass, and is counted as shed', async t => {
  const o = await countingOrigin(t, 0, (req, res) => {
    if (req.url === '/sidecar-context.php') res.setHeader('x-user-context-hash', 'group-a')
    res.end('ok')
  })
  // No queue: whatever finds the one slot taken is shed at once.
  const sc = await guardedSidecar(t, o.origin, { maxConcurrent: 1, queue: { size: 0, timeout: '10s' } }, { cache: CACHE })
  const agent = client(t)
  const held = get(agent, `${sc.url}/held`)
  await until('held at the origin', () => o.active === 1)
  const r = await get(agent, `${sc.url}/page`, { cookie: 'PHPSESSID=s2' })
  t.equal(r.status, 503, 'the bypassing request is shed too')
  t.equal(await fetches(sc, 'shed'), 1)
  t.equal(await gauge(sc, 'sipup_cache_lookups_total', { outcome: 'BYPASS', rule: 'group-pages' }), 1)
  o.releaseAll()
  await held
})
