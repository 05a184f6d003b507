// `jobs.redis`: bee-queue follows neither Sentinel nor Cluster, so the jobs get a standalone Redis of their own while
// the shared `redis` section (cache, rate limit, locks) points at a Sentinel or a Cluster. The config check accepts
// that pair, refuses Sentinel/Cluster without the override (naming it), and a job enqueued through the endpoint runs
// on the override's server under its key prefix.
import t from '../helpers/cases.js'
import { Redis } from 'ioredis'
import { request } from 'undici'
import { checkConfig, loadConfig } from '../../src/sidecar-config.js'
import '../../src/plugins/jobs/types.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { deleteKeys } from './helpers.js'

const prefix = uniquePrefix('jobs-override')
const sharedPrefix = uniquePrefix('jobs-override-shared')
t.after(() => deleteKeys(sharedPrefix))
const SECRET = 'override-secret-0123456789abcdef'
t.after(() => deleteKeys(prefix))

const types = [{ name: 'report', handler: 'http', url: '/cb' }]
const CLUSTER = { enabled: true, nodes: ['127.0.0.1:17001', '127.0.0.1:17002', '127.0.0.1:17003'] }
const SENTINEL = { enabled: true, sentinels: [{ host: '127.0.0.1', port: 17010 }], name: 'shop' }

async function check (overrides: Record<string, unknown>): Promise<string | null> {
  try {
    await checkConfig(loadConfig({ env: {}, overrides }))
    return null
  } catch (err) {
    return `${(err as { code?: string }).code ?? ''}: ${(err as Error).message}`
  }
}

t.test('the config check: Sentinel or Cluster needs jobs.redis.url, and accepts it', async t => {
  for (const [name, redis] of [['Cluster', CLUSTER], ['Sentinel', SENTINEL]] as const) {
    const refused = await check({ redis, jobs: { enabled: true, types } })
    t.match(refused, /SIPUP_ERR_CONFIG_INVALID/, `${name} without the override is refused`)
    t.match(refused, /jobs\.redis\.url/, 'the message names the override')
    t.match(refused, name === 'Cluster' ? /redis\.nodes is set/ : /redis\.sentinels is set/)
    t.equal(await check({ redis, jobs: { enabled: true, types, redis: { url: REDIS_URL, keyPrefix: prefix } } }), null,
      `${name} for the shared section, a standalone Redis for the jobs: accepted`)
  }
  t.equal(await check({ redis: { enabled: false }, jobs: { enabled: true, types, redis: { url: REDIS_URL } } }), null,
    'the override alone is enough (the shared section off)')
  t.match(await check({ redis: { enabled: false }, jobs: { enabled: true, types } }), /redis\.enabled is false/)
  const bad = await check({ redis: CLUSTER, jobs: { enabled: true, types, redis: { url: 'http://user:hunter2@127.0.0.1:6379' } } })
  t.match(bad, /jobs\.redis\.url: expected a redis:\/\/ or rediss:\/\/ URL/, 'a URL that is not Redis is refused')
  t.notMatch(bad, /hunter2/, 'without its password')
})

// The shared section is a standalone Redis under another prefix here (the check above covers Sentinel/Cluster
// acceptance without starting one): the endpoint, the producer and the inline workers use the override's prefix,
// never the shared one.
t.test('a job enqueued through the endpoint runs on the override\'s Redis under its prefix', async t => {
  if (!await requireRedis(t)) return
  const calls: string[] = []
  const origin = await startOrigin((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => {
      if (req.url === '/cb') calls.push(body)
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  t.after(() => origin.close())
  const sc = await startSidecar({
    upstream: { url: origin.url },
    redis: { enabled: true, url: REDIS_URL, keyPrefix: sharedPrefix },
    cache: { enabled: false },
    rateLimit: { enabled: false },
    jobs: { enabled: true, inline: true, secret: SECRET, types, redis: { url: REDIS_URL, keyPrefix: prefix } }
  })
  t.after(() => sc.close())
  const res = await request(`${sc.url}/_jobs/report`, {
    method: 'POST',
    headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
    body: JSON.stringify({ month: '2026-11' })
  })
  const answer = await res.body.json() as { id?: string }
  t.equal(res.statusCode, 202, 'accepted')
  t.type(answer.id, 'string')
  const end = Date.now() + 15_000
  while (calls.length === 0 && Date.now() < end) await new Promise(resolve => setTimeout(resolve, 25))
  t.equal(calls.length, 1, 'the worker ran the job once')
  t.match(calls[0] ?? '', /2026-11/, 'with its payload')
  const r = new Redis(REDIS_URL)
  t.after(() => { r.disconnect() })
  const keys = await r.keys(`${prefix}*`)
  t.ok(keys.length > 0, `the job's keys are under the override's prefix on ${REDIS_URL} (${keys.length} keys)`)
  t.same(await r.keys(`${sharedPrefix}jobs*`), [], 'none under the shared section\'s prefix')
})
