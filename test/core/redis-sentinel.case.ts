// Redis Sentinel with real servers the test starts on its own ports (a master, a replica, one sentinel): the sidecar
// finds the master through the sentinel, keeps answering every request while the master dies and the sentinel
// promotes the replica (limits fall back per instance during the switch), and shares its limits through the new
// master afterwards.
import t from '../helpers/cases.js'
import { spawn, type ChildProcess } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { requireProgram, uniquePrefix } from '../helpers/services.js'
import { startSidecar } from '../helpers/sidecar.js'
import { IP_ONLY, from, send, startOriginFor } from '../rate-limit/fixtures.js'
import { REDIS_SERVER, freePort, stop } from '../rate-limit/redis-server.js'

async function startServer (args: string[], ready: string): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString()
      if (out.includes(ready)) resolve()
    })
    child.once('exit', code => { reject(new Error(`redis-server exited (${code}): ${out}`)) })
  })
  return child
}

async function until (what: string, fn: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await fn().catch(() => false)) return
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

t.test('Sentinel: the sidecar follows a failover and keeps serving', async t => {
  if (!await requireProgram(t, REDIS_SERVER, 'redis-server')) return
  const [pm, pr, ps] = [await freePort(), await freePort(), await freePort()]
  const dir = t.testdir({})
  // Replication snapshots go to the test's directory, not the working tree.
  const server = (port: number): string[] => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--dbfilename', `dump-${port}.rdb`]
  const master = await startServer(server(pm), 'Ready to accept connections')
  t.after(() => stop(master))
  const replica = await startServer([...server(pr), '--replicaof', '127.0.0.1', String(pm)], 'MASTER <-> REPLICA sync: Finished')
  t.after(() => stop(replica))
  const conf = join(dir, 'sentinel.conf')
  writeFileSync(conf, [
    `port ${ps}`, 'bind 127.0.0.1', `dir ${dir}`,
    `sentinel monitor shop 127.0.0.1 ${pm} 1`,
    'sentinel down-after-milliseconds shop 1000',
    'sentinel failover-timeout shop 5000'
  ].join('\n') + '\n')
  const sentinel = await startServer([conf, '--sentinel'], 'Sentinel ID is')
  t.after(() => stop(sentinel))

  const origin = await startOriginFor(t)
  const keyPrefix = uniquePrefix('sentinel')
  const sidecar = await startSidecar({
    upstream: { url: origin.url },
    redis: { enabled: true, sentinels: [{ host: '127.0.0.1', port: ps }], name: 'shop', keyPrefix },
    rateLimit: { enabled: true, ...IP_ONLY, ip: { limit: 3, window: '1m' } }
  })
  t.after(() => sidecar.close())
  const status = async (ip: string): Promise<number> => (await send(sidecar.url, '/p', { headers: from(ip) })).status
  t.same([await status('192.0.2.1'), await status('192.0.2.1'), await status('192.0.2.1'), await status('192.0.2.1')], [200, 200, 200, 429],
    'shared limit through the master the sentinel named')
  const onMaster = new Redis({ port: pm, host: '127.0.0.1', lazyConnect: true })
  await onMaster.connect()
  t.ok((await onMaster.keys(`${keyPrefix}*`)).length > 0, 'the limit lives on the master')
  onMaster.disconnect()

  await stop(master)
  // Every request is answered during the switch (fail open, per-instance limits), none hangs.
  const during: number[] = []
  const probe = new Redis({ port: ps, host: '127.0.0.1' })
  t.after(() => { probe.disconnect() })
  let i = 0
  await until('the sentinel to promote the replica', async () => {
    during.push(await status(`192.0.2.${10 + (i++ % 50)}`))
    const addr = await probe.call('SENTINEL', 'get-master-addr-by-name', 'shop') as string[]
    return Number(addr[1]) === pr
  })
  t.same(during.filter(s => s !== 200), [], `all ${during.length} requests during the failover answered`)
  const client = sidecar.app.sidecar.redis.client
  await until('the sidecar to reconnect to the new master', async () => client?.status === 'ready' && (await client.ping()) === 'PONG')
  // The limiter goes back to Redis when a request's probe succeeds.
  await until('the rate limiter to use Redis again', async () => {
    during.push(await status(`192.0.2.${10 + (i++ % 50)}`))
    return sidecar.app.sidecar.features.find(f => f.name === 'rateLimit')?.state === 'on'
  })
  t.same(during.filter(s => s !== 200), [], 'and every request while it reconnected')
  t.same([await status('192.0.2.200'), await status('192.0.2.200'), await status('192.0.2.200'), await status('192.0.2.200')], [200, 200, 200, 429],
    'shared limit again, on the promoted replica')
  const onNew = new Redis({ port: pr, host: '127.0.0.1' })
  t.after(() => { onNew.disconnect() })
  t.ok((await onNew.keys(`${keyPrefix}*`)).length > 0, 'the new master holds the limits now')
})
