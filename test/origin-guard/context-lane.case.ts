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

t.test('a page whose context lookup the origin answered goes to the front of the queue, not shed as a new arrival', async t => {
  const o = await countingOrigin(t, 0, (req, res) => {
    if (req.url === '/sidecar-context.php') res.setHeader('x-user-context-hash', 'group-a')
    res.end(`ok ${req.url ?? ''}`)
  })
  const sc = await guardedSidecar(t, o.origin, {
    maxConcurrent: 1,
    queue: { size: 10, timeout: '2s' },
    lanes: { rules: [{ lane: 'high', paths: ['/u*'] }] }
  }, { cache: CACHE })
  const agent = client(t)
  const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }
  const high = async (): Promise<number> => await gauge(sc, 'sipup_origin_queue_depth', { lane: 'high' })
  // One answer teaches the guard the origin's pace: 300 ms a slot.
  const prime = get(agent, `${sc.url}/prime`)
  await until('prime at the origin', () => o.active === 1)
  await sleep(300)
  o.releaseOne()
  t.equal((await prime).status, 200)

  const held = get(agent, `${sc.url}/held`)
  await until('held at the origin', () => o.active === 1)
  const page = get(agent, `${sc.url}/page`, { cookie: 'PHPSESSID=s3' })
  await until('the lookup queued', async () => await high() === 1)
  // Most of the page's 2 s goes by while its lookup waits.
  await sleep(1000)
  const u1 = get(agent, `${sc.url}/u1`)
  await until('/u1 queued', async () => await high() === 2)
  const u2 = get(agent, `${sc.url}/u2`)
  await until('/u2 queued', async () => await high() === 3)
  o.releaseOne()
  t.equal((await held).status, 200)
  await until('the lookup at the origin', () => o.active === 1 && o.seen.at(-1) === '/sidecar-context.php')
  o.releaseOne()
  await until('/u1 at the origin', () => o.active === 1 && o.seen.at(-1) === '/u1')
  // The page (a miss for its group) now finds /u2 waiting and too little of its deadline left for a slot behind it:
  // as a new arrival it was shed, after all that wait. As work in progress it goes before /u2.
  let answered = false
  page.then(() => { answered = true }, () => { answered = true })
  await until('the page queued (or answered)', async () => answered || await high() === 2)
  o.releaseAll()
  const r = await page
  t.equal(r.status, 200)
  t.equal(r.headers['cache-status'], 'sipup; fwd=miss; stored')
  t.equal((await u1).status, 200)
  t.equal((await u2).status, 200)
  t.same(o.seen, ['/prime', '/held', '/sidecar-context.php', '/u1', '/page', '/u2'])
  t.equal(await gauge(sc, 'sipup_origin_shed_cause_total', { lane: 'high', cause: 'wait' }), 0, 'nothing was shed')
})
