// upstream.maxConcurrent: never more than N requests at the origin; the rest wait in the sidecar and all get
// their answer; a queued request whose client went away never reaches the origin.
import t from '../helpers/cases.js'
import { connect } from 'node:net'
import { client, countingOrigin, gauge, get, guardedSidecar, until } from './helpers.js'

const N = 4

t.test('a burst of 10 × N requests: never more than N at the origin, every one answered', async t => {
  const o = await countingOrigin(t, 20)
  const sc = await guardedSidecar(t, o.origin, { maxConcurrent: N, queue: { size: 100, timeout: '10s' } })
  const agent = client(t)
  const answers = await Promise.all(Array.from({ length: 10 * N }, (_, i) => get(agent, `${sc.url}/p${i}`)))
  t.same(answers.map(a => a.status), answers.map(() => 200))
  t.equal(o.seen.length, 10 * N, 'every request reached the origin in the end')
  t.ok(o.peak <= N, `peak at the origin ${o.peak} <= ${N}`)
  t.equal(o.peak, N, 'the limit is used, not undershot')
})

t.test('default (maxConcurrent 0): every request goes to the origin at once, as before', async t => {
  const o = await countingOrigin(t, 0)
  const sc = await guardedSidecar(t, o.origin, {})
  const agent = client(t)
  const pending = Array.from({ length: 3 * N }, (_, i) => get(agent, `${sc.url}/p${i}`))
  await until('all at the origin', () => o.active === 3 * N)
  o.releaseAll()
  await Promise.all(pending)
  t.equal(o.peak, 3 * N)
})

t.test('a client that disconnects while queued leaves the queue and never reaches the origin', async t => {
  const o = await countingOrigin(t, 0)
  const sc = await guardedSidecar(t, o.origin, { maxConcurrent: 1, queue: { size: 10, timeout: '10s' } })
  const agent = client(t)
  const first = get(agent, `${sc.url}/first`)
  await until('first at the origin', () => o.active === 1)

  const sock = connect({ host: '127.0.0.1', port: sc.port })
  sock.on('error', () => {})
  sock.write('GET /gone HTTP/1.1\r\nHost: shop.test\r\n\r\n')
  await until('queued', async () => await gauge(sc, 'sipup_origin_queue_depth', { lane: 'normal' }) === 1)
  sock.destroy()
  await until('left the queue', async () => await gauge(sc, 'sipup_origin_queue_depth', { lane: 'normal' }) === 0)

  const after = get(agent, `${sc.url}/after`)
  o.releaseAll()
  t.equal((await first).status, 200)
  t.equal((await after).status, 200)
  t.same(o.seen, ['/first', '/after'], '/gone never reached the origin')
  const abandoned = sc.app.sidecar.metrics.getSingleMetric('sipup_origin_queue_abandoned_total')
  t.equal((await abandoned?.get())?.values.find(v => v.labels.lane === 'normal')?.value, 1)
})
