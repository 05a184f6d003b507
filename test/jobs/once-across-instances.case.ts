// Two sidecar instances sharing Redis, both running the job workers inline: every job runs exactly once.
import t from '../helpers/cases.js'
import { join } from 'node:path'
import { packageRoot } from '../../src/paths.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { REDIS_URL, requireRedis, uniquePrefix } from '../helpers/services.js'
import { deleteKeys } from './helpers.js'

const TOTAL = 200
t.setTimeout(120_000)

t.test(`${TOTAL} jobs enqueued on two inline-worker instances run once each`, async t => {
  if (!await requireRedis(t)) return
  const keyPrefix = uniquePrefix('jobs-once')
  t.after(() => deleteKeys(keyPrefix))
  const runs = new Map<string, number>()
  ;(globalThis as { __sipupJobRuns?: Map<string, number> }).__sipupJobRuns = runs
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const config = {
    upstream: { url: origin.url },
    redis: { enabled: true, url: REDIS_URL, keyPrefix },
    jobs: {
      enabled: true,
      inline: true,
      concurrency: 10,
      types: [{ name: 'count', handler: 'module', module: join(packageRoot, 'test', 'jobs', 'fixtures', 'count-runs.mjs'), concurrency: 10, attempts: 1 }]
    }
  }
  const a = await startSidecar(config)
  t.after(() => a.close())
  const b = await startSidecar(config)
  t.after(() => b.close())
  const ids: string[] = []
  for (let n = 0; n < TOTAL; n += 20) {
    const batch = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      ((n + i) % 2 === 0 ? a : b).app.sidecarJobs.producer.add('count', { n: n + i })))
    ids.push(...batch.map(r => r.id))
  }
  t.equal(new Set(ids).size, TOTAL, 'every enqueue got its own id')
  const end = Date.now() + 90_000
  while ([...runs.values()].reduce((s, c) => s + c, 0) < TOTAL && Date.now() < end) {
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  // A little longer: a duplicate run would show up right after the last first run.
  await new Promise(resolve => setTimeout(resolve, 500))
  t.equal(runs.size, TOTAL, 'every job ran')
  t.same([...runs.entries()].filter(([, c]) => c !== 1), [], 'no job ran twice')
  t.ok(ids.every(id => runs.get(id) === 1), 'the runs are the enqueued jobs, once each')
  const stats = await a.app.sidecarJobs.store.queueStats(Date.now())
  t.equal(stats.reduce((s, q) => s + q.succeeded, 0), TOTAL, 'the store counts each as succeeded once')
})
