// The fleet view: two sidecar instances sharing Redis see each other through their heartbeats; one that stops
// gracefully shows "stopped", one whose beats stop shows "stale" (stopped reporting); without Redis the view holds
// this instance alone and says why.
import t from '../helpers/cases.js'
import { Redis } from 'ioredis'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { summarise } from '../../src/core/fleet/summarise.js'
import type { FleetRecord, FleetView } from '../../src/core/fleet/types.js'

const INTERVAL = 1000

async function fleet (url: string): Promise<FleetView> {
  const res = await fetch(`${url}/_admin/api/fleet`)
  if (res.status !== 200) throw new Error(`fleet answered ${res.status}`)
  return await res.json() as FleetView
}

async function until<T> (what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await read()
    if (ok(v)) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

t.test('two instances on one Redis: both listed, req/s measured, a graceful stop shows stopped, silence shows stale', async t => {
  if (!await requireRedis(t)) return
  const keyPrefix = uniquePrefix('fleet')
  const redis = new Redis(REDIS_URL)
  t.after(async () => {
    await redis.del(`${keyPrefix}fleet`)
    await redis.quit()
  })
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const config = { upstream: { url: origin.url }, redis: { enabled: true, url: REDIS_URL, keyPrefix }, fleet: { heartbeatInterval: '1s' } }
  const a = await startSidecar(config)
  t.after(() => a.close())
  const b = await startSidecar(config)
  let bClosed = false
  t.after(async () => { if (!bClosed) await b.close() })

  const both = await until('both nodes', async () => await fleet(a.url), v => v.nodes.length === 2)
  t.equal(both.shared, true)
  t.equal(both.reason, null)
  t.same(both.nodes.map(n => n.state), ['up', 'up'])
  t.equal(both.nodes.filter(n => n.self).length, 1, 'the answering node is marked')
  t.equal(both.staleAfterMs, 3 * INTERVAL)
  const bNode = (await fleet(b.url)).nodes.find(n => n.self)?.node
  t.ok(bNode !== undefined && both.nodes.some(n => n.node === bNode && !n.self), 'A lists B')
  for (const n of both.nodes) {
    t.match(n, { host: String, version: String, workers: { configured: 1, reporting: 1 } })
    t.equal(n.instances.length, 1)
    t.equal(n.instances[0].pid, process.pid)
  }

  // Traffic on B shows as B's req/s once two beats framed it.
  for (let i = 0; i < 20; i++) await (await fetch(`${b.url}/x${i}`)).text()
  const busy = await until('B to report traffic', async () => await fleet(a.url),
    v => (v.nodes.find(n => n.node === bNode)?.rps ?? 0) > 0)
  t.ok((busy.nodes.find(n => n.node === bNode)?.rps ?? 0) > 0, 'B\'s req/s reached A through Redis')

  await b.close()
  bClosed = true
  const after = await fleet(a.url)
  t.equal(after.nodes.find(n => n.node === bNode)?.state, 'stopped', 'a graceful stop shows stopped at once')

  // A process that died without a word: its last beat ages past 3 intervals.
  const dead: FleetRecord = {
    id: 'other-host:4242:abcdef', node: 'other-host:4242:abcdef', host: 'other-host', pid: 4242, version: '0.0.1',
    startedAt: Date.now() - 60_000, beatAt: Date.now() - 4 * INTERVAL, intervalMs: INTERVAL, state: 'up', workers: 1,
    window: { requests: 10, lookups: 0, hits: 0, seconds: 1 }, measured: true
  }
  await redis.hset(`${keyPrefix}fleet`, dead.id, JSON.stringify(dead))
  const stale = (await fleet(a.url)).nodes
  t.equal(stale[0].node, dead.node, 'trouble is listed first')
  t.equal(stale[0].state, 'stale', 'silent for 4 intervals: stopped reporting')
  t.equal(stale[0].rps, null, 'no req/s claimed for a node that stopped reporting')

  // Past the retention it is dropped.
  await redis.hset(`${keyPrefix}fleet`, dead.id, JSON.stringify({ ...dead, beatAt: Date.now() - 61 * INTERVAL }))
  t.notOk((await fleet(a.url)).nodes.some(n => n.node === dead.node), 'dropped after the retention')
  t.equal(await redis.hexists(`${keyPrefix}fleet`, dead.id), 0, 'and removed from Redis')
  t.ok(await redis.pttl(`${keyPrefix}fleet`) > 0, 'the hash expires on its own once nobody beats')
})

t.test('without Redis the fleet is this instance, and says why', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const s = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => s.close())
  const v = await fleet(s.url)
  t.equal(v.shared, false)
  t.match(v.reason, /redis\.enabled is false/)
  t.equal(v.nodes.length, 1)
  t.match(v.nodes[0], { self: true, state: 'up', pid: undefined })
  t.equal(v.nodes[0].instances[0].pid, process.pid)
})

t.test('a node of server.workers is one row adding up its workers', async t => {
  const now = 1_000_000
  const rec = (pid: number, patch: Partial<FleetRecord>): FleetRecord => ({
    id: `h:${pid}:t`, node: 'h:100', host: 'h', pid, version: '1', startedAt: now - 10_000, beatAt: now - 500,
    intervalMs: 1000, state: 'up', workers: 3, window: { requests: 100, lookups: 50, hits: 40, seconds: 1 }, measured: true, ...patch
  })
  const [node] = summarise([
    rec(101, {}), rec(102, { window: { requests: 300, lookups: 50, hits: 10, seconds: 1 } }), rec(103, { beatAt: now - 5000 })
  ], 'h:100', now)
  t.equal(node.state, 'up')
  t.equal(node.rps, 400, 'req/s of the workers that report, summed')
  t.equal(node.hitRatio, 0.5, 'hit ratio weighted by lookups')
  t.same(node.workers, { configured: 3, reporting: 2 })
  t.same(node.instances.map(i => i.state), ['up', 'up', 'stale'])
  t.equal(summarise([rec(101, { state: 'stopped' }), rec(102, { beatAt: now - 5000 })], 'x', now)[0].state, 'stale',
    'a node is stopped only when every worker stopped gracefully')
})
