// The enqueue script writes jobs itself (one atomic step with the idempotency key); they must be exactly what
// bee-queue 2.0.0 writes and reads: same record fields as createJob().save(), readable by bee-queue's getJob.
import t from '../helpers/cases.js'
import BeeQueue from 'bee-queue'
import { decodeRecord } from '../../src/plugins/jobs/bee-format.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { deleteKeys, makeService } from './helpers.js'

const prefix = uniquePrefix('jobs-bee-format')
t.after(() => deleteKeys(prefix))

t.test('a job stored by the producer is a bee-queue job', async t => {
  if (!await requireRedis(t)) return
  const service = await makeService(t, prefix, { types: [{ name: 'report', handler: 'module', module: '/nonexistent.mjs', attempts: 4, backoff: '2s' }] })
  const { id } = await service.producer.add('report', { month: '2026-11', items: [] })
  const q = new BeeQueue('normal', { prefix: service.keys.beePrefix, redis: { url: REDIS_URL } as BeeQueue.QueueSettings['redis'], isWorker: false, getEvents: false, sendEvents: false })
  t.after(() => q.close(1000))
  const theirs = await q.createJob({ type: 'report', attempts: 4, payload: { month: '2026-11', items: [] } }).retries(3).backoff('fixed', 2000).save()
  const raw = await service.store.client.hmget(service.keys.queues.normal.jobs, id, theirs.id)
  const mine = decodeRecord(String(raw[0]))
  const bee = decodeRecord(String(raw[1]))
  t.same(Object.keys(mine).sort(), Object.keys(bee).sort(), 'same record fields')
  t.same(Object.keys(mine.options).sort(), Object.keys(bee.options).sort(), 'same option fields')
  t.same(mine.data, bee.data, 'same data, empty arrays kept as arrays')
  t.equal(mine.options.retries, bee.options.retries)
  t.same(mine.status, bee.status)
  t.same(await service.store.client.lrange(service.keys.queues.normal.waiting, 0, -1), [theirs.id, id], 'both waiting, in order')
  const job = await q.getJob(id)
  t.equal(job.id, id)
  t.same(job.data, { type: 'report', attempts: 4, payload: { month: '2026-11', items: [] } }, 'bee-queue reads it')
  t.match(job.options, { retries: 3, backoff: { strategy: 'sipup', delay: 2000 }, stacktraces: [] })
})
