// bench/jobs: what the job endpoint and the plugin's workers cost over bee-queue itself, side by side in one run
// on the same Redis (rounds interleaved, medians):
//   enqueue  POST /_jobs/noop through the sidecar (auth, schema check, idempotency-ready atomic store), one job per
//            request, and POST /_jobs/noop/batch (--batch-size jobs per request, --batch-in-flight requests at once),
//            vs bee-queue's own createJob().save() from a plain client with as many saves in flight as POSTs;
//            --baseline <older build's dist/bench/jobs.js> also runs the single POST against that build (before/after);
//   process  the plugin's workers (priority gate, run bookkeeping, stall cap, outcome) running a no-op module
//            handler vs bee-queue's own process() with a no-op handler, same concurrency, each in its own process.
//   npm run build && node dist/bench/jobs.js [--rounds 5] [--jobs 5000] [--concurrency 32] [--batch-size 50]
//     [--batch-in-flight 8] [--baseline PATH] [--enqueue-only]
// Needs Redis at REDIS_URL (default redis://127.0.0.1:6379). The last line is the headline ratio.
import { fileURLToPath } from 'node:url'
import { join, dirname } from 'node:path'
import BeeQueue from 'bee-queue'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { Pool } from 'undici'
import { freePort } from './lib/free-port.js'
import { startProcess, type Started } from './lib/processes.js'
import { announceReady, startSidecarRole } from './lib/roles.js'
import { median } from './lib/wrk.js'
import { cpuMs, redisCpuMs } from './lib/cpu.js'
import { deleteByPrefix } from './lib/redis-keys.js'
import { benchArgs, ROLE_OPTIONS } from './lib/args.js'

const SELF = fileURLToPath(import.meta.url)
const NOOP = join(dirname(SELF), 'lib', 'noop-job.js')
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const SECRET = 'bench-jobs-secret-0123456789abcdef'
const PAYLOAD = JSON.stringify({ orderId: 4711, customer: 'c-42', items: [{ sku: 'A-1', qty: 2 }, { sku: 'B-7', qty: 1 }] })

const jobsConfig = (concurrency: number) => ({
  enabled: true,
  secret: SECRET,
  concurrency,
  types: [{ name: 'noop', handler: 'module', module: NOOP, concurrency, attempts: 3 }]
})

/** Runs `n` tasks with `inFlight` at a time; resolves with the elapsed ms. */
async function pooled (n: number, inFlight: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0
  const start = performance.now()
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < n) await task(next++)
  }))
  return performance.now() - start
}

// --- child roles ---------------------------------------------------------------------------------------------

async function rawWorkerRole (prefix: string, n: number, concurrency: number): Promise<void> {
  const q = new BeeQueue('raw', { prefix, redis: { url: REDIS_URL } as BeeQueue.QueueSettings['redis'], getEvents: false, sendEvents: false, storeJobs: false })
  await q.ready()
  announceReady('raw-worker')
  let done = 0
  const start = performance.now()
  await new Promise<void>(resolve => {
    q.process(concurrency, async () => {
      if (++done === n) resolve()
      return null
    })
  })
  process.stdout.write(`done ${(performance.now() - start).toFixed(1)}\n`)
  await q.close(1000).catch(() => {})
}

async function pluginWorkerRole (prefix: string, n: number, concurrency: number): Promise<void> {
  const { loadConfig } = await import('../src/sidecar-config.js')
  const { JobsService } = await import('../src/plugins/jobs/service.js')
  const { config } = loadConfig({ env: {}, overrides: { jobs: jobsConfig(concurrency) } })
  const service = new JobsService({ config: config.jobs, redis: { url: REDIS_URL, keyPrefix: prefix }, registry: new Registry(), log: pino({ level: 'warn' }) })
  await service.connect()
  const counter = globalThis as typeof globalThis & { sipupBenchJobs?: number }
  counter.sipupBenchJobs = 0
  announceReady('plugin-worker')
  const start = performance.now()
  await service.startWorkers()
  while ((counter.sipupBenchJobs ?? 0) < n) await new Promise(resolve => setTimeout(resolve, 2))
  process.stdout.write(`done ${(performance.now() - start).toFixed(1)}\n`)
  await service.close(1000)
}

/** Starts a worker role and resolves with the ms it reports for `n` jobs. */
async function timedWorker (role: string, prefix: string, n: number, concurrency: number): Promise<number> {
  const p = await startProcess(SELF, ['--role', role, '--prefix', prefix, '--jobs', String(n), '--concurrency', String(concurrency)], /ready/)
  const ms = await new Promise<number>((resolve, reject) => {
    let out = ''
    p.child.stdout?.on('data', (c: Buffer) => {
      out += c.toString()
      const m = /done ([\d.]+)/.exec(out)
      if (m !== null) resolve(Number(m[1]))
    })
    p.child.once('exit', code => { if (!/done/.test(out)) reject(new Error(`${role} exited with ${String(code)}`)) })
  })
  await p.stop()
  return ms
}

// --- main ----------------------------------------------------------------------------------------------------

async function main (): Promise<void> {
  const values = benchArgs({
    name: 'bench/jobs',
    summary: 'What the job endpoint and the plugin\'s workers cost over bee-queue itself, on the same Redis (rounds interleaved, medians): enqueue (single and batch POSTs vs createJob().save()) and process. Needs Redis.',
    options: {
      rounds: { type: 'int', default: 5, description: 'interleaved rounds; figures are medians' },
      jobs: { type: 'int', default: 5000, description: 'jobs per measured pass' },
      concurrency: { type: 'int', default: 32, description: 'saves / POSTs in flight, and the workers\' concurrency' },
      'batch-size': { type: 'int', default: 50, description: 'jobs per POST /_jobs/noop/batch' },
      'batch-in-flight': { type: 'int', default: 8, description: 'batch POSTs at once' },
      baseline: { type: 'string', placeholder: '<jobs.js>', description: 'an older build\'s dist/bench/jobs.js: also runs the single POST against it' },
      'enqueue-only': { type: 'boolean', description: 'skip the process comparison' },
      ...ROLE_OPTIONS,
      prefix: { type: 'string', default: '', internal: true, description: 'Redis key prefix of this run' }
    }
  })
  const n = values.jobs
  const { concurrency } = values
  if (values.role === 'sidecar') {
    await startSidecarRole(values.port, 'http://127.0.0.1:9', {
      redis: { enabled: true, url: REDIS_URL, keyPrefix: values.prefix },
      jobs: jobsConfig(concurrency)
    })
    announceReady('sidecar')
    return
  }
  if (values.role === 'raw-worker') return await rawWorkerRole(values.prefix, n, concurrency)
  if (values.role === 'plugin-worker') return await pluginWorkerRole(values.prefix, n, concurrency)

  const { rounds, 'batch-size': batchSize, 'batch-in-flight': batchInFlight } = values
  const baseline = values.baseline
  const base = `sipup-bench:jobs:${process.pid}:`
  const redis = new Redis(REDIS_URL)
  const procs: Started[] = []
  const rates = { save: [] as number[], saveSerial: [] as number[], http: [] as number[], httpBase: [] as number[], batch: [] as number[], rawProcess: [] as number[], pluginProcess: [] as number[] }
  // µs of CPU per enqueued job: the sidecar process, this process as the client, the Redis server.
  const cpu = {
    sidecar: [] as number[], httpClient: [] as number[], httpRedis: [] as number[],
    baseSidecar: [] as number[],
    batchSidecar: [] as number[], batchClient: [] as number[], batchRedis: [] as number[],
    saveClient: [] as number[], saveRedis: [] as number[]
  }
  const selfMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
  const headers = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' }
  const poster = (pool: Pool, path: string, body: string) => async (): Promise<void> => {
    const res = await pool.request({ method: 'POST', path, headers, body })
    await res.body.dump()
    if (res.statusCode !== 202) throw new Error(`${path} answered ${res.statusCode}`)
  }
  /** Runs `fn` and returns its ms with the CPU ms it cost the given sidecar, this process and Redis. */
  const measured = async (pid: number | undefined, fn: () => Promise<number>): Promise<{ ms: number, sidecar: number, client: number, redis: number }> => {
    const [s0, c0, r0] = [pid === undefined ? 0 : cpuMs(pid), selfMs(), await redisCpuMs(redis)]
    const ms = await fn()
    const [s1, c1, r1] = [pid === undefined ? 0 : cpuMs(pid), selfMs(), await redisCpuMs(redis)]
    return { ms, sidecar: s1 - s0, client: c1 - c0, redis: r1 - r0 }
  }
  try {
    const port = await freePort()
    const sidecar = await startProcess(SELF, ['--role', 'sidecar', '--port', String(port), '--prefix', `${base}http:`, '--concurrency', String(concurrency)], /ready sidecar/)
    procs.push(sidecar)
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: concurrency, pipelining: 1 })
    const post = poster(pool, '/_jobs/noop', PAYLOAD)
    const batchBody = JSON.stringify(Array.from({ length: batchSize }, () => ({ payload: JSON.parse(PAYLOAD) as unknown })))
    const postBatch = poster(pool, '/_jobs/noop/batch', batchBody)
    // The same single-job POST against an older build (e.g. main's dist/bench/jobs.js) in the same run: before/after.
    let basePid: number | undefined
    let postBase: (() => Promise<void>) | null = null
    let basePool: Pool | null = null
    if (baseline !== undefined) {
      const basePort = await freePort()
      const b = await startProcess(baseline, ['--role', 'sidecar', '--port', String(basePort), '--prefix', `${base}base:`, '--concurrency', String(concurrency)], /ready sidecar/)
      procs.push(b)
      basePid = b.child.pid
      basePool = new Pool(`http://127.0.0.1:${basePort}`, { connections: concurrency, pipelining: 1 })
      postBase = poster(basePool, '/_jobs/noop', PAYLOAD)
    }
    const raw = new BeeQueue('raw', { prefix: `${base}save`, redis: { url: REDIS_URL } as BeeQueue.QueueSettings['redis'], isWorker: false, getEvents: false, sendEvents: false, storeJobs: false })
    await raw.ready()
    const payload = JSON.parse(PAYLOAD) as unknown
    const batches = Math.max(1, Math.round(n / batchSize))
    const save = (): Promise<number> => pooled(n, concurrency, () => raw.createJob(payload).save())
    // Every path JIT-compiled before anything is measured (the first thousands of requests run several times slower).
    process.stderr.write('warm-up\n')
    for (let i = 0; i < 3; i++) {
      await pooled(n, concurrency, post)
      if (postBase !== null) await pooled(n, concurrency, postBase)
      await pooled(batches, batchInFlight, postBatch)
      await save()
    }
    for (let r = 0; r < rounds; r++) {
      await deleteByPrefix(redis, base)
      const h = await measured(sidecar.child.pid, () => pooled(n, concurrency, post))
      rates.http.push(n / h.ms * 1000)
      cpu.sidecar.push(h.sidecar * 1000 / n)
      cpu.httpClient.push(h.client * 1000 / n)
      cpu.httpRedis.push(h.redis * 1000 / n)
      if (postBase !== null) {
        const hb = await measured(basePid, () => pooled(n, concurrency, postBase))
        rates.httpBase.push(n / hb.ms * 1000)
        cpu.baseSidecar.push(hb.sidecar * 1000 / n)
      }
      const jobsInBatches = batches * batchSize
      const b = await measured(sidecar.child.pid, () => pooled(batches, batchInFlight, postBatch))
      rates.batch.push(jobsInBatches / b.ms * 1000)
      cpu.batchSidecar.push(b.sidecar * 1000 / jobsInBatches)
      cpu.batchClient.push(b.client * 1000 / jobsInBatches)
      cpu.batchRedis.push(b.redis * 1000 / jobsInBatches)
      const sv = await measured(undefined, save)
      rates.save.push(n / sv.ms * 1000)
      cpu.saveClient.push(sv.client * 1000 / n)
      cpu.saveRedis.push(sv.redis * 1000 / n)
      // For scale: one save at a time, one round trip each (what a client that can't pipeline gets).
      rates.saveSerial.push(n / 4 / await pooled(n / 4, 1, () => raw.createJob(payload).save()) * 1000)
      const line = `  round ${r + 1}/${rounds}  enqueue: raw save ${rates.save[r].toFixed(0)}/s, HTTP ${rates.http[r].toFixed(0)}/s` +
        (postBase !== null ? ` (baseline ${rates.httpBase[r].toFixed(0)}/s)` : '') + `, batch ${rates.batch[r].toFixed(0)}/s`
      if (values['enqueue-only']) {
        process.stderr.write(line + '\n')
        continue
      }
      // Processing: the same number of jobs waiting in each, then a fresh worker process drains them.
      const rawPrefix = `${base}rawp${r}`
      const seed = new BeeQueue('raw', { prefix: rawPrefix, redis: { url: REDIS_URL } as BeeQueue.QueueSettings['redis'], isWorker: false, getEvents: false, sendEvents: false, storeJobs: false })
      await seed.ready()
      for (let i = 0; i < n; i += 500) await seed.saveAll(Array.from({ length: Math.min(500, n - i) }, () => seed.createJob(payload)))
      await seed.close()
      const rawMs = await timedWorker('raw-worker', rawPrefix, n, concurrency)
      const pluginPrefix = `${base}pp${r}:`
      const { loadConfig } = await import('../src/sidecar-config.js')
      const { JobsService } = await import('../src/plugins/jobs/service.js')
      const { config } = loadConfig({ env: {}, overrides: { jobs: jobsConfig(concurrency) } })
      const producer = new JobsService({ config: config.jobs, redis: { url: REDIS_URL, keyPrefix: pluginPrefix }, registry: new Registry(), log: pino({ level: 'warn' }) })
      await producer.connect()
      await pooled(n, concurrency, () => producer.producer.add('noop', payload))
      await producer.close()
      const pluginMs = await timedWorker('plugin-worker', pluginPrefix, n, concurrency)
      rates.rawProcess.push(n / rawMs * 1000)
      rates.pluginProcess.push(n / pluginMs * 1000)
      process.stderr.write(`${line}  process: plugin ${rates.pluginProcess[r].toFixed(0)}/s, raw ${rates.rawProcess[r].toFixed(0)}/s\n`)
    }
    await raw.close()
    await pool.close()
    await basePool?.close()
  } finally {
    for (const p of procs) await p.stop()
    await deleteByPrefix(redis, base)
    redis.disconnect()
  }
  const m = (xs: number[]): number => median(xs)
  const f = (x: number): string => x.toFixed(0).padStart(7)
  const ratios = rates.http.map((h, i) => h / rates.save[i])
  const bratios = rates.batch.map((b, i) => b / rates.save[i])
  const baseRatios = rates.httpBase.map((h, i) => h / rates.save[i])
  const afterOverBefore = rates.http.map((h, i) => h / rates.httpBase[i])
  const pratios = rates.pluginProcess.map((p, i) => p / rates.rawProcess[i])
  const meets = (x: number): string => x >= 0.5 ? 'meets' : 'misses'
  console.log(`bench/jobs: ${n} jobs per round, ${concurrency} in flight / worker concurrency ${concurrency}, ${rounds} interleaved rounds, medians, Redis ${REDIS_URL}`)
  console.log(`enqueue  bee-queue createJob().save(), same Redis, ${concurrency} in flight                ${f(m(rates.save))} jobs/s`)
  console.log(`enqueue  bee-queue createJob().save(), one at a time (for scale)              ${f(m(rates.saveSerial))} jobs/s`)
  console.log(`enqueue  POST /_jobs/noop, one job per request, ${concurrency} in flight (bearer, schema)  ${f(m(rates.http))} jobs/s`)
  if (baseline !== undefined) console.log(`enqueue  the same against the baseline build (${baseline})  ${f(m(rates.httpBase))} jobs/s`)
  console.log(`enqueue  POST /_jobs/noop/batch, ${batchSize} jobs per request, ${batchInFlight} requests in flight     ${f(m(rates.batch))} jobs/s`)
  if (!values['enqueue-only']) {
    console.log(`process  plugin workers, no-op module handler                               ${f(m(rates.pluginProcess))} jobs/s`)
    console.log(`process  bee-queue process(), no-op handler                                 ${f(m(rates.rawProcess))} jobs/s`)
  }
  console.log(`CPU per enqueued job (median µs): single POST: sidecar ${m(cpu.sidecar).toFixed(0)} + load client ${m(cpu.httpClient).toFixed(0)} + Redis ${m(cpu.httpRedis).toFixed(0)}` +
    (baseline !== undefined ? ` (baseline sidecar ${m(cpu.baseSidecar).toFixed(0)})` : '') +
    `; batch: sidecar ${m(cpu.batchSidecar).toFixed(1)} + load client ${m(cpu.batchClient).toFixed(1)} + Redis ${m(cpu.batchRedis).toFixed(1)}` +
    `; raw save: client ${m(cpu.saveClient).toFixed(0)} + Redis ${m(cpu.saveRedis).toFixed(0)}`)
  console.log(`per-round single POST/raw save: ${ratios.map(x => x.toFixed(2)).join(' ')}; batch/raw save: ${bratios.map(x => x.toFixed(2)).join(' ')}` +
    (baseline !== undefined ? `; baseline POST/raw save: ${baseRatios.map(x => x.toFixed(2)).join(' ')} (single POST after/before median ${m(afterOverBefore).toFixed(2)}x)` : '') +
    (pratios.length > 0 ? `; plugin/raw process: ${pratios.map(x => x.toFixed(2)).join(' ')} (median ${m(pratios).toFixed(2)}x)` : ''))
  console.log(`headline: vs bee-queue's raw save (target >= 0.5x): batch enqueue (${batchSize}/request) = ${m(bratios).toFixed(2)}x (${meets(m(bratios))}), ` +
    `single-job POST = ${m(ratios).toFixed(2)}x (${meets(m(ratios))})`)
}

main().then(() => { if (process.argv.includes('--role')) return; process.exit(0) }, (err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
