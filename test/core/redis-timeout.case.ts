// Issue 12 item 9: redis.commandTimeout must not fail a command whose reply arrived while this process was
// stalled (GC, a CPU-starved host). ioredis' plain timer did: after a stall the timers phase ran before the poll
// phase that reads the waiting reply, the rate limiter took Redis for down and admitted from memory on top of
// what Redis had counted (51 of 50 under load). A Redis that really doesn't answer still times out
// (test/rate-limit/redis-hung-and-fail-closed.case.ts).
import t from '../helpers/cases.js'
import { pino } from 'pino'
import { SharedRedis } from '../../src/core/redis.js'
import { REDIS_URL, requireRedis } from '../helpers/services.js'

function stall (ms: number): void {
  const end = Date.now() + ms
  while (Date.now() < end) { /* a synchronous stall, like a long GC pause */ }
}

t.test('a reply that arrived during a stall longer than commandTimeout is read, not timed out', async t => {
  if (!await requireRedis(t)) return
  const redis = new SharedRedis({ enabled: true, url: REDIS_URL, sentinels: [], nodes: [], name: 'mymaster', keyPrefix: 'test-12b:', connectTimeout: 1000, commandTimeout: 50 }, pino({ level: 'silent' }))
  t.after(() => redis.close())
  await redis.connect()
  const client = redis.client
  if (client === null) throw new Error('no client')
  for (let i = 0; i < 5; i++) {
    const reply = client.ping()
    stall(200)
    t.equal(await reply, 'PONG', `stall ${i + 1}: the reply is used`)
  }
  // A duplicate (blocking work, subscriptions) is bounded the same way.
  const dup = redis.duplicate()
  if (dup === null) throw new Error('no duplicate')
  await new Promise<void>(resolve => { if (dup.status === 'ready') resolve(); else dup.once('ready', () => resolve()) })
  const r = dup.ping()
  stall(200)
  t.equal(await r, 'PONG')
})
