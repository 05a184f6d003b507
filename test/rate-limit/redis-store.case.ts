import t from '../helpers/cases.js'
import { Redis } from 'ioredis'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { RedisStore } from '../../src/plugins/rate-limit/redis-store.js'
import { storeSuite } from './store-suite.js'

async function cleanup (client: Redis, prefix: string): Promise<void> {
  const keys = await client.keys(`${prefix}*`)
  if (keys.length > 0) await client.del(...keys)
}

t.test('redis store', async t => {
  if (!await requireRedis(t)) return
  const client = new Redis(REDIS_URL, { enableOfflineQueue: true })
  const prefix = uniquePrefix('rl-redis-store')
  t.after(async () => { await cleanup(client, prefix); await client.quit() })
  let n = 0
  storeSuite(t, async (_t, ban) => {
    const p = `${prefix}${n++}:`
    return { store: new RedisStore({ client, prefix: `${p}rl:`, ban }) }
  })
})
