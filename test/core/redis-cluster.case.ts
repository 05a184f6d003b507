// Redis Cluster with real servers the test starts on its own ports (3 masters): two sidecars on `redis.nodes`
// share one rate limit exactly, a fleet lock excludes across them, and every key lands in the one slot of the
// key prefix's hash tag; a tag purge on one drops the page from the other's memory layer.
import t from '../helpers/cases.js'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { Cluster } from 'ioredis'
import { requireProgram, uniquePrefix } from '../helpers/services.js'
import { request } from 'undici'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { fetchAnswer } from '../cache/fixtures/setup.js'
import { IP_ONLY, from, send, startOriginFor } from '../rate-limit/fixtures.js'
import { REDIS_SERVER, freePort, stop } from '../rate-limit/redis-server.js'

async function startNode (port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
    '--cluster-config-file', `${dir}/nodes-${port}.conf`, '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (c: Buffer) => { out += c.toString(); if (out.includes('Ready to accept connections')) resolve() })
    child.once('exit', code => { reject(new Error(`redis-server exited (${code}): ${out}`)) })
  })
  return child
}

t.test('Cluster: shared limits and locks on redis.nodes', async t => {
  if (!await requireProgram(t, REDIS_SERVER, 'redis-server')) return
  const dir = t.testdir({})
  const ports = [await freePort(), await freePort(), await freePort()]
  for (const p of ports) {
    const node = await startNode(p, dir)
    t.after(() => stop(node))
  }
  const made = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map(p => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' })
  t.equal(made.status, 0, `cluster created: ${made.stderr}`)
  const probe = new Cluster([{ host: '127.0.0.1', port: ports[0] }])
  t.after(() => { probe.disconnect() })
  for (let i = 0; i < 200; i++) {
    if ((await probe.cluster('INFO')).includes('cluster_state:ok')) break
    await new Promise(resolve => setTimeout(resolve, 50))
  }

  const origin = await startOriginFor(t)
  const keyPrefix = uniquePrefix('rcluster')
  const config = {
    upstream: { url: origin.url },
    redis: { enabled: true, nodes: ports.map(p => `127.0.0.1:${p}`), keyPrefix },
    // Bans on: the script then reaches the client's ban and strikes keys through the hash-tagged prefix.
    rateLimit: { enabled: true, ...IP_ONLY, ip: { limit: 5, window: '1m' }, bans: { enabled: true, strikes: 3 } }
  }
  const a = await startSidecar(config)
  t.after(() => a.close())
  const b = await startSidecar(config)
  t.after(() => b.close())
  t.equal(a.app.sidecar.redis.keyPrefix, `{${keyPrefix}}`, 'the prefix is the hash tag')

  const statuses: number[] = []
  for (let i = 0; i < 8; i++) statuses.push((await send((i % 2 === 0 ? a : b).url, '/p', { headers: from('192.0.2.7') })).status)
  t.same(statuses, [200, 200, 200, 200, 200, 429, 429, 429], 'one limit of 5 across two sidecars on the Cluster')
  t.equal((await send(a.url, '/p', { headers: from('192.0.2.7') })).status, 403, 'the third strike (on both sidecars) banned the client')

  const lease = await a.app.sidecar.locks.acquire('chore', 10_000)
  t.ok(lease !== null, 'A takes the lock')
  t.equal(await b.app.sidecar.locks.acquire('chore', 10_000), null, 'B is refused while A holds it')
  await lease?.release()
  const again = await b.app.sidecar.locks.acquire('chore', 10_000)
  t.ok(again !== null, 'B takes it after A released it')
  await again?.release()

  let n = 0
  const pages = await startOrigin((req, res) => {
    res.setHeader('cache-control', 'max-age=600')
    res.setHeader('surrogate-key', 'product-42')
    res.end(`v${++n} ${req.url}`)
  })
  t.after(() => pages.close())
  const cached = { upstream: { url: pages.url }, redis: config.redis, cache: { enabled: true, store: 'tiered' }, admin: { enabled: true, token: 'secret' } }
  const c = await startSidecar(cached)
  t.after(() => c.close())
  const d = await startSidecar(cached)
  t.after(() => d.close())
  await Promise.all([c, d].map(s => (s.app.sidecarCache?.store as { ready?: () => Promise<void> }).ready?.()))
  const page = async (url: string, only = false): Promise<{ status: number, body: string }> =>
    fetchAnswer(url + '/product.php?id=42', only ? { host: 'shop.test', 'cache-control': 'only-if-cached' } : { host: 'shop.test' })
  const first = (await page(c.url)).body
  t.equal((await page(d.url)).body, first, 'D got C\'s entry from the Cluster')
  t.equal((await page(d.url, true)).status, 200, 'and holds it')
  const res = await request(c.url + '/_admin/api/cache/purge', {
    method: 'POST', headers: { authorization: 'Bearer secret', 'content-type': 'application/json' }, body: JSON.stringify({ tags: ['product-42'] })
  })
  t.equal(res.statusCode, 200, 'tag purge on C')
  await res.body.dump()
  let dropped = false
  for (let i = 0; i < 200 && !dropped; i++) {
    dropped = (await page(d.url, true)).status !== 200
    if (!dropped) await new Promise(resolve => setTimeout(resolve, 5))
  }
  t.ok(dropped, 'the Cluster pub/sub broadcast dropped D\'s copy')
  t.not((await page(d.url)).body, first, 'D fetches a fresh page')

  const slot = Number(await probe.cluster('KEYSLOT', keyPrefix))
  const keys: string[] = []
  for (const m of probe.nodes('master')) keys.push(...await m.keys(`{${keyPrefix}}*`))
  const slots = new Set(await Promise.all(keys.map(async k => Number(await probe.cluster('KEYSLOT', k)))))
  t.ok(keys.length > 0, `${keys.length} keys written`)
  t.same([...slots], [slot], 'all of them in the slot of the prefix')
})
