// Redis Cluster failover during traffic (3 masters + 3 replicas the test starts): the master holding the sidecar's
// slot dies, its replica is promoted, and the sidecar answers every request throughout (limits per instance during
// the switch), then shares its limit through the promoted replica.
import t from '../helpers/cases.js'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { Cluster, Redis } from 'ioredis'
import { requireProgram, uniquePrefix } from '../helpers/services.js'
import { startSidecar } from '../helpers/sidecar.js'
import { IP_ONLY, from, send, startOriginFor } from '../rate-limit/fixtures.js'
import { REDIS_SERVER, freePort, stop } from '../rate-limit/redis-server.js'

async function startNode (port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes',
    '--cluster-config-file', `${dir}/nodes-${port}.conf`, '--cluster-node-timeout', '1000', '--save', '', '--appendonly', 'no',
    '--dir', dir, '--dbfilename', `dump-${port}.rdb`], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (c: Buffer) => { out += c.toString(); if (out.includes('Ready to accept connections')) resolve() })
    child.once('exit', code => { reject(new Error(`redis-server exited (${code}): ${out}`)) })
  })
  return child
}

async function until (what: string, fn: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await fn().catch(() => false)) return
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

t.test('Cluster: a master dies mid-traffic, its replica takes over, the sidecar keeps serving', async t => {
  if (!await requireProgram(t, REDIS_SERVER, 'redis-server')) return
  const dir = t.testdir({})
  const ports: number[] = []
  for (let i = 0; i < 6; i++) ports.push(await freePort())
  const nodes = new Map<number, ChildProcess>()
  for (const p of ports) {
    const node = await startNode(p, dir)
    nodes.set(p, node)
    t.after(() => stop(node))
  }
  const made = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map(p => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8' })
  t.equal(made.status, 0, `cluster created: ${made.stderr}`)
  const probe = new Cluster([{ host: '127.0.0.1', port: ports[0] }])
  t.after(() => { probe.disconnect() })
  await until('cluster_state:ok', async () => (await probe.cluster('INFO')).includes('cluster_state:ok'))
  // `--cluster create` attaches the replicas after the slots are served: a master killed before its replica has
  // synced has no one to take over. Wait until every slot range lists a replica whose link to its master is up.
  await until('every master to have a synced replica', async () => {
    const ranges = await probe.cluster('SLOTS')
    if (ranges.length < 3 || ranges.some(r => r.length < 4)) return false
    for (const r of ranges) {
      const replica = new Redis({ host: '127.0.0.1', port: Number(r[3][1]), lazyConnect: true })
      try {
        await replica.connect()
        if (!(await replica.info('replication')).includes('master_link_status:up')) return false
      } finally {
        replica.disconnect()
      }
    }
    return true
  })

  const origin = await startOriginFor(t)
  const keyPrefix = uniquePrefix('rcluster-fo')
  const sidecar = await startSidecar({
    upstream: { url: origin.url },
    redis: { enabled: true, nodes: ports.slice(0, 3).map(p => `127.0.0.1:${p}`), keyPrefix },
    rateLimit: { enabled: true, ...IP_ONLY, ip: { limit: 3, window: '1m' } }
  })
  t.after(() => sidecar.close())
  const status = async (ip: string): Promise<number> => (await send(sidecar.url, '/p', { headers: from(ip) })).status
  t.same([await status('192.0.2.1'), await status('192.0.2.1'), await status('192.0.2.1'), await status('192.0.2.1')], [200, 200, 200, 429],
    'shared limit on the Cluster')

  // The master serving the prefix's slot.
  const slot = Number(await probe.cluster('KEYSLOT', `{${keyPrefix}}`))
  const owner = (await probe.cluster('SLOTS')).find(([lo, hi]) => lo <= slot && slot <= hi)
  const ownerPort = Number(owner?.[2][1])
  t.ok(nodes.has(ownerPort), `slot ${slot} on master ${ownerPort}`)
  await stop(nodes.get(ownerPort) as ChildProcess)

  const during: number[] = []
  let i = 0
  const alive = ports.find(p => p !== ownerPort) as number
  const direct = new Redis({ host: '127.0.0.1', port: alive })
  t.after(() => { direct.disconnect() })
  await until('a replica to take the slot over', async () => {
    during.push(await status(`192.0.2.${10 + (i++ % 50)}`))
    const slots = await direct.cluster('SLOTS')
    const now = slots.find(([lo, hi]) => lo <= slot && slot <= hi)
    return now !== undefined && Number(now[2][1]) !== ownerPort && (await direct.cluster('INFO')).includes('cluster_state:ok')
  })
  t.same(during.filter(s => s !== 200), [], `all ${during.length} requests during the failover answered`)
  await until('the rate limiter to use Redis again', async () => {
    during.push(await status(`192.0.2.${10 + (i++ % 50)}`))
    return sidecar.app.sidecar.features.find(f => f.name === 'rateLimit')?.state === 'on' &&
      (await sidecar.app.sidecar.redis.client?.ping()) === 'PONG'
  })
  t.same(during.filter(s => s !== 200), [], 'and every request while it reconnected')
  t.same([await status('192.0.2.200'), await status('192.0.2.200'), await status('192.0.2.200'), await status('192.0.2.200')], [200, 200, 200, 429],
    'shared limit again, on the promoted replica')
})
