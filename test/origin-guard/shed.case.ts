// Queue full or waited too long: a stale copy when the cache holds one within its grace (Cache-Status says
// queue-full / queue-timeout), else a fast 503 with Retry-After: a page that refreshes itself for browsers,
// problem details for API clients.
import t from '../helpers/cases.js'
import type * as Tap from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { client, countingOrigin, gauge, get, guardedSidecar, until } from './helpers.js'

const CACHE = {
  enabled: true,
  store: 'memory',
  rules: [{ name: 'pages', path: '/page*', ttl: '1s', override: true, grace: '1h' }]
}

t.test('queue full, no copy: 503 + Retry-After; HTML page that refreshes itself, JSON problem for API clients', async t => {
  const o = await countingOrigin(t, 0)
  const sc = await guardedSidecar(t, o.origin, { maxConcurrent: 1, queue: { size: 0 }, busy: { retryAfter: '7s' } })
  const agent = client(t)
  const held = get(agent, `${sc.url}/slow`)
  await until('held at the origin', () => o.active === 1)

  const html = await get(agent, `${sc.url}/other`, { accept: 'text/html' })
  t.equal(html.status, 503)
  t.equal(html.headers['retry-after'], '7')
  t.equal(html.headers['cache-control'], 'no-store')
  t.match(html.headers['content-type'], /^text\/html/)
  t.match(html.body, /<meta http-equiv="refresh" content="7">/)
  t.match(html.body, /The shop is busy/)

  const api = await get(agent, `${sc.url}/api/x`, { accept: 'application/json' })
  t.equal(api.status, 503)
  t.equal(api.headers['content-type'], 'application/problem+json')
  const p = JSON.parse(api.body) as Record<string, unknown>
  t.equal(p.code, 'SIPUP_ERR_UPSTREAM_OVERLOADED')
  t.equal(p.status, 503)
  t.equal(p.retryAfter, 7)

  o.releaseAll()
  t.equal((await held).status, 200)
  t.same(o.seen, ['/slow'], 'shed requests never reached the origin')
  const shed = sc.app.sidecar.metrics.getSingleMetric('sipup_origin_shed_total')
  t.equal((await shed?.get())?.values.find(v => v.labels.reason === 'queue-full' && v.labels.lane === 'normal')?.value, 2)
})

t.test('waited longer than queue.timeout: 503 queue-timeout, never sent to the origin', async t => {
  const o = await countingOrigin(t, 0)
  const sc = await guardedSidecar(t, o.origin, { maxConcurrent: 1, queue: { size: 10, timeout: '150ms' } })
  const agent = client(t)
  const held = get(agent, `${sc.url}/slow`)
  await until('held at the origin', () => o.active === 1)
  const late = await get(agent, `${sc.url}/waits`, { accept: 'application/json' })
  t.equal(late.status, 503)
  t.ok(Number(late.headers['retry-after']) > 0)
  t.equal(await gauge(sc, 'sipup_origin_queue_depth', { lane: 'normal' }), 0)
  o.releaseAll()
  await held
  t.same(o.seen, ['/slow'])
})

t.test('a request that would outwait queue.timeout at the origin\'s pace: 503 at once, not after the timeout', async t => {
  const o = await countingOrigin(t, 0)
  const sc = await guardedSidecar(t, o.origin, { maxConcurrent: 1, queue: { size: 10, timeout: '1s' } })
  const agent = client(t)
  // One answer that held its slot longer than queue.timeout teaches the guard the origin's pace.
  const prime = get(agent, `${sc.url}/prime`)
  await until('prime at the origin', () => o.active === 1)
  await new Promise(resolve => setTimeout(resolve, 1100))
  o.releaseOne()
  t.equal((await prime).status, 200)

  const held = get(agent, `${sc.url}/held`)
  await until('held at the origin', () => o.active === 1)
  // The head of the queue always waits (the slot may free any moment)...
  const head = get(agent, `${sc.url}/head`)
  await until('head queued', async () => await gauge(sc, 'sipup_origin_queue_depth', { lane: 'normal' }) === 1)
  // ...the one behind it would wait two slot times > 1 s: answered now, though the queue has room for 9 more.
  const behind = await get(agent, `${sc.url}/behind`, { accept: 'application/json' })
  t.equal(behind.status, 503)
  t.ok(Number(behind.headers['retry-after']) > 0)
  t.equal(await gauge(sc, 'sipup_origin_queue_depth', { lane: 'normal' }), 1, 'answered while the head still waits')
  o.releaseAll()
  t.equal((await held).status, 200)
  t.equal((await head).status, 200)
  t.same(o.seen, ['/prime', '/held', '/head'], 'the shed request never reached the origin')
  const shed = sc.app.sidecar.metrics.getSingleMetric('sipup_origin_shed_total')
  t.equal((await shed?.get())?.values.find(v => v.labels.reason === 'queue-full' && v.labels.lane === 'normal')?.value, 1)
})

t.test('a configured busy page file is sent with {{retryAfter}} filled in', async t => {
  const dir = t.testdir({})
  const file = join(dir, 'busy.html')
  writeFileSync(file, '<html><meta http-equiv="refresh" content="{{retryAfter}}">Back in {{retryAfter}} s</html>')
  const o = await countingOrigin(t, 0)
  const sc = await guardedSidecar(t, o.origin, { maxConcurrent: 1, queue: { size: 0 }, busy: { file, retryAfter: '3s' } })
  const agent = client(t)
  const held = get(agent, `${sc.url}/slow`)
  await until('held at the origin', () => o.active === 1)
  const res = await get(agent, `${sc.url}/x`)
  t.equal(res.status, 503)
  t.equal(res.body, '<html><meta http-equiv="refresh" content="3">Back in 3 s</html>')
  o.releaseAll()
  await held
})

async function storedPage (t: Tap.Test, queue: Record<string, unknown>) {
  const o = await countingOrigin(t, 0, (req, res) => {
    res.setHeader('content-type', 'text/html')
    res.end(`page ${req.url ?? ''}`)
  })
  const sc = await guardedSidecar(t, o.origin, { maxConcurrent: 1, queue }, { cache: CACHE })
  const agent = client(t)
  const first = get(agent, `${sc.url}/page1`)
  await until('first at the origin', () => o.active === 1)
  o.releaseOne()
  t.match((await first).headers['cache-status'], /stored/)
  // Take the one origin slot with a request the cache can't answer.
  const held = get(agent, `${sc.url}/slow`)
  await until('slot taken', () => o.active === 1)
  return { o, sc, agent, held }
}

t.test('queue full with a copy within grace: the copy, Cache-Status detail=queue-full', async t => {
  const { o, sc, agent, held } = await storedPage(t, { size: 0 })
  const hit = await get(agent, `${sc.url}/page1`)
  t.equal(hit.headers['x-cache'], 'HIT', 'a cache hit never waits for the origin slot')
  // A hard reload (no-cache) must go to the origin; the origin is full, so the stored copy answers.
  const reload = await get(agent, `${sc.url}/page1`, { 'cache-control': 'no-cache' })
  t.equal(reload.status, 200)
  t.equal(reload.body, 'page /page1')
  t.equal(reload.headers['cache-status'], 'sipup; fwd=stale; detail=queue-full')
  t.equal(reload.headers['x-cache'], 'STALE')
  o.releaseAll()
  await held
  t.same(o.seen, ['/page1', '/slow'], 'the reload never reached the origin')
  const stale = sc.app.sidecar.metrics.getSingleMetric('sipup_cache_stale_served_total')
  t.equal((await stale?.get())?.values.find(v => v.labels.reason === 'overload')?.value, 1)
})

t.test('queue timeout with a copy within grace: the copy, Cache-Status detail=queue-timeout', async t => {
  const { o, sc, agent, held } = await storedPage(t, { size: 5, timeout: '150ms' })
  const reload = await get(agent, `${sc.url}/page1`, { 'cache-control': 'no-cache' })
  t.equal(reload.status, 200)
  t.equal(reload.headers['cache-status'], 'sipup; fwd=stale; detail=queue-timeout')
  o.releaseAll()
  await held
  t.same(o.seen, ['/page1', '/slow'])
})
