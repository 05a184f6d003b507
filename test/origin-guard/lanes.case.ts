// Priority lanes: FIFO within a lane, high before normal before low, weighted so low still gets its share, the
// lowest lane shed first when the queue is full; rules by method, path, cookie and header.
import t from '../helpers/cases.js'
import type * as Tap from 'tap'
import { LaneRules } from '../../src/proxy/origin-guard/lanes.js'
import { client, countingOrigin, gauge, get, guardedSidecar, until } from './helpers.js'

const LANES = {
  rules: [
    { lane: 'high', methods: ['POST'], paths: ['/checkout/**'] },
    { lane: 'high', cookie: 'PHPSESSID' },
    { lane: 'low', header: 'user-agent', headerContains: ['bot', 'spider'] },
    { lane: 'low', paths: ['/low/*'] }
  ]
}

/** Requests the guard has taken so far: queued now, or shed. */
async function taken (sc: Awaited<ReturnType<typeof guardedSidecar>>): Promise<number> {
  let n = 0
  for (const lane of ['high', 'normal', 'low']) n += await gauge(sc, 'sipup_origin_queue_depth', { lane })
  const shed = await sc.app.sidecar.metrics.getSingleMetric('sipup_origin_shed_total')?.get()
  for (const v of shed?.values ?? []) n += v.value
  return n
}

/** One request held at the origin, then `paths` queued one after the other (each in the queue before the next is
 * sent); then the origin answers everything. Returns the order the origin saw the queued ones in. */
async function drainOrder (t: Tap.Test, paths: string[], upstream: Record<string, unknown> = {}): Promise<{ order: string[], statuses: number[] }> {
  const o = await countingOrigin(t, 0)
  const sc = await guardedSidecar(t, o.origin, { maxConcurrent: 1, queue: { size: 50, timeout: '10s' }, lanes: LANES, ...upstream })
  const agent = client(t)
  const held = get(agent, `${sc.url}/held`)
  await until('held at the origin', () => o.active === 1)
  const pending: Promise<{ status: number }>[] = []
  for (const p of paths) {
    const before = await taken(sc)
    pending.push(get(agent, `${sc.url}${p}`, p.includes('session') ? { cookie: 'a=1; PHPSESSID=abc' } : {}))
    await until(`${p} queued or shed`, async () => await taken(sc) > before)
  }
  o.releaseAll()
  await held
  const statuses = (await Promise.all(pending)).map(r => r.status)
  return { order: o.seen.slice(1), statuses }
}

t.test('FIFO within a lane', async t => {
  const paths = ['/n1', '/n2', '/n3', '/n4', '/n5']
  const { order } = await drainOrder(t, paths)
  t.same(order, paths)
})

t.test('high before normal before low, FIFO inside each', async t => {
  const { order } = await drainOrder(t, ['/low/1', '/low/2', '/n1', '/session/1', '/n2', '/session/2'])
  t.same(order, ['/session/1', '/session/2', '/n1', '/n2', '/low/1', '/low/2'])
})

t.test('weighted: low is not starved by a busy high lane', async t => {
  const { order } = await drainOrder(t, ['/low/1', '/low/2', '/session/1', '/session/2', '/session/3', '/session/4'],
    { lanes: { ...LANES, weights: { high: 2, normal: 1, low: 1 } } })
  t.same(order, ['/session/1', '/session/2', '/low/1', '/session/3', '/session/4', '/low/2'])
})

t.test('queue full: the newest low request makes room for a more important one', async t => {
  const { order, statuses } = await drainOrder(t, ['/low/1', '/low/2', '/session/1', '/low/3'], { queue: { size: 2, timeout: '10s' } })
  t.same(statuses, [200, 503, 200, 503], '/low/2 shed for /session/1, /low/3 shed on arrival')
  t.same(order, ['/session/1', '/low/1'])
})

t.test('lane rules: method, path glob, cookie, header', async t => {
  const full = [...LANES.rules, { lane: 'high', field: 'cache', fieldIn: ['MISS'] }]
    .map(r => ({ methods: [], paths: [], cookie: '', header: '', headerContains: [], field: '', fieldIn: [], ...r }))
  const rules = new LaneRules({ default: 'normal', weights: { high: 6, normal: 3, low: 1 }, rules: full as never })
  const lane = (method: string, url: string, headers: Record<string, string> = {}, cache: string | null = null): number =>
    rules.classify({ method, url, headers, field: name => name === 'cache' ? cache : null })
  t.equal(lane('POST', '/checkout/pay?x=1'), 0)
  t.equal(lane('GET', '/checkout/pay'), 1, 'GET is not the checkout rule')
  t.equal(lane('GET', '/x', { cookie: 'PHPSESSID=1' }), 0)
  t.equal(lane('GET', '/x', { cookie: 'MYPHPSESSID=1' }), 1, 'another cookie whose name ends the same')
  t.equal(lane('GET', '/x', { 'user-agent': 'Googlebot/2.1' }), 2)
  t.equal(lane('GET', '/low/a'), 2)
  t.equal(lane('GET', '/low/a/b'), 1, '* stays within a segment')
  t.equal(lane('GET', '/p', {}, 'MISS'), 0, 'a request field (the cache outcome)')
  t.equal(lane('GET', '/p', {}, 'BYPASS'), 1)
  t.throws(() => new LaneRules({ default: 'normal', weights: { high: 1, normal: 1, low: 1 }, rules: [{ lane: 'low', methods: [], paths: [], cookie: '', header: '', headerContains: ['bot'], field: '', fieldIn: [] }] }),
    { code: 'SIPUP_ERR_UPSTREAM_GUARD_CONFIG', message: /upstream\.lanes\.rules\[0\]\.header/ })
})

t.test('a cacheable miss can go first: one origin request fills the cache for everyone after it', async t => {
  const o = await countingOrigin(t, 0, (req, res) => {
    req.resume()
    res.setHeader('cache-control', 'max-age=60')
    res.end('x')
  })
  const sc = await guardedSidecar(t, o.origin, {
    maxConcurrent: 1, queue: { size: 10, timeout: '10s' }, lanes: { rules: [{ lane: 'high', field: 'cache', fieldIn: ['MISS'] }] }
  }, { cache: { enabled: true, store: 'memory' } })
  const agent = client(t)
  const held = get(agent, `${sc.url}/held`)
  await until('held', () => o.active === 1)
  const { request } = await import('undici')
  const post = request(`${sc.url}/form`, { dispatcher: agent, method: 'POST', body: 'a=1' }).then(r => r.body.text())
  await until('post queued', async () => await gauge(sc, 'sipup_origin_queue_depth', { lane: 'normal' }) === 1)
  const page = get(agent, `${sc.url}/page`)
  await until('miss queued high', async () => await gauge(sc, 'sipup_origin_queue_depth', { lane: 'high' }) === 1)
  o.releaseAll()
  await Promise.all([held, post, page])
  t.same(o.seen, ['/held', '/page', '/form'])
})
