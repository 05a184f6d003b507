// A Sentinel list where nothing answers must not hold start-up: ioredis' connect() keeps cycling through the
// sentinels and never settles, which took the core plugin past Fastify's plugin timeout. connect() answers false
// within its bound, says why, and the client goes on trying in the background.
import t from '../helpers/cases.js'
import net from 'node:net'
import { pino } from 'pino'
import { SharedRedis } from '../../src/core/redis.js'

async function closedPort (): Promise<number> {
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}

t.test('connect() through unreachable sentinels answers false within its bound and names the cause', async t => {
  const port = await closedPort()
  const redis = new SharedRedis({
    enabled: true, url: 'redis://127.0.0.1:6379', sentinels: [{ host: '127.0.0.1', port }], nodes: [], name: 'mymaster',
    keyPrefix: 'test-sentinel-down:', connectTimeout: 300, commandTimeout: 200
  }, pino({ level: 'silent' }))
  t.teardown(() => redis.close())
  // Without the bound this await never settles and tap's file timeout ends the test.
  const ok = await Promise.race([redis.connect(), new Promise<'hung'>(resolve => setTimeout(() => resolve('hung'), 10_000).unref())])
  t.equal(ok, false, 'connect() settled with false')
  t.equal(redis.isReady(), false)
  t.match(redis.reason ?? '', /unreachable at sentinel mymaster via 127\.0\.0\.1:\d+/, `reason: ${redis.reason ?? ''}`)
})
