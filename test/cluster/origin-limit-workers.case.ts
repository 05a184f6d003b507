// upstream.maxConcurrent with server.workers: 2 is the node's limit: the two workers' shares add up to N, so a
// burst spread over both never puts more than N requests at the origin (each worker guarding N alone would allow 2N),
// and the dashboard shows the node's guard, whichever worker serves it.
import t from '../helpers/cases.js'
import { countingOrigin } from '../origin-guard/helpers.js'
import { freePort, get, spawnNode, until } from '../helpers/cluster-node.js'

t.setTimeout(600_000)

const N = 4

const nodeConfig = (port: number, upstream: string, maxConcurrent: number): string[] => [
  'server:', '  host: 127.0.0.1', `  port: ${port}`, '  workers: 2', '  shutdownTimeout: 2s',
  'upstream:', `  url: ${upstream}`, `  maxConcurrent: ${maxConcurrent}`, '  queue:', '    size: 200', '    timeout: 30s',
  'redis:', '  enabled: false',
  'log:', '  level: info', '  requests: false',
  'metrics:', '  enabled: true', 'cache:', '  enabled: false', 'rateLimit:', '  enabled: false'
]

t.test(`workers: 2, maxConcurrent ${N}: a burst of 20 x N never has more than N at the origin`, async t => {
  const o = await countingOrigin(t, 30)
  const port = await freePort()
  const node = await spawnNode(t, port, nodeConfig(port, o.origin.url, N))
  t.match(node.output(), /2 workers listening/)
  // Each on its own connection, so the kernel spreads them over both workers.
  const answers = await Promise.all(Array.from({ length: 20 * N }, async (_, i) => await get(port, `/p${i}`)))
  t.same(answers.map(a => a.status), answers.map(() => 200), 'every request answered')
  t.equal(o.seen.length, 20 * N)
  t.ok(o.peak <= N, `peak at the origin ${o.peak} <= ${N}`)
  const scrape = await get(port, '/_admin/metrics')
  // The primary sums the workers' gauges: their shares make the node's limit.
  t.match(scrape.body, new RegExp(`^sipup_origin_concurrency_limit ${N}$`, 'm'), 'the shares add up to N')
  // The dashboard, whichever worker serves it, shows the node's guard: the workers' statuses summed.
  const overview = JSON.parse((await get(port, '/_admin/api/overview')).body) as { origin: { limit: number, inflight: number, queued: number } | null }
  t.same(overview.origin, { limit: N, inflight: 0, queued: 0, shedQueueFull: 0, shedQueueTimeout: 0 }, 'the overview\'s limit is the node\'s N, not a share')
})

t.test('a limit below the worker count stops start-up with exit code 2', async t => {
  const o = await countingOrigin(t, 0)
  const port = await freePort()
  const node = await spawnNode(t, port, nodeConfig(port, o.origin.url, 1))
  await until('the primary to exit', () => node.primary.exitCode !== null)
  t.equal(node.primary.exitCode, 2)
  t.match(node.output(), /upstream\.maxConcurrent: expected 0 or at least server\.workers \(2\)/)
})
