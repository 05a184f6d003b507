// bench/php: the plain-PHP shop of examples/legacy-php on MariaDB direct (A) vs through the sidecar with
// config/examples/legacy-php.yaml (B), with the project's load tester (src/loadtest) and the mix
// bench/scenarios/php-shop.yaml: once at a fixed rate (open model) and once with 2,000 virtual users. Prints success,
// p50/p95/p99 and hit ratio side by side. The sidecar runs in a process of its own, PHP under `php -S` with
// PHP_CLI_SERVER_WORKERS (like a small php-fpm pool), MariaDB and Redis on this machine.
// Usage: npm run build && node dist/bench/php.js [--rate 40] [--users 2000] [--think 5s] [--duration 15s]
//        [--workers 8] [--timeout 10s]
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packageRoot } from '../src/paths.js'
import { sourceAddresses } from '../src/loadtest/args.js'
import { RequestPlan } from '../src/loadtest/request-plan.js'
import { loadScenarioFile } from '../src/loadtest/scenario.js'
import { runBench, type TargetReport } from '../src/loadtest/run.js'
import { DEFAULT_THRESHOLDS, describe } from '../src/loadtest/thresholds.js'
import { int, ms, padTable, pct, rate } from '../src/loadtest/format.js'
import { checkPhp, createShopDatabase, startPhpShop } from '../examples/legacy-php/harness.js'
import { startProcess, type Started } from './lib/processes.js'
import { freePort } from './lib/free-port.js'
import { benchArgs } from './lib/args.js'

const SELF = fileURLToPath(import.meta.url)
const CONFIG = join(packageRoot, 'config', 'examples', 'legacy-php.yaml')
const MYSQL_SERVER = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'

const values = benchArgs({
  name: 'bench/php',
  summary: 'The plain-PHP shop of examples/legacy-php on MariaDB direct (A) vs through the sidecar with config/examples/legacy-php.yaml (B): once at a fixed rate (open model), once with virtual users. Needs php, MariaDB and Redis.',
  options: {
    rate: { type: 'number', min: 0.1, default: 15, description: 'requests/s of the open-model run' },
    users: { type: 'int', default: 2000, description: 'virtual users of the second run' },
    think: { type: 'duration', default: '5s', description: 'mean think time of a virtual user' },
    duration: { type: 'duration', default: '15s', description: 'measured time per run and target' },
    workers: { type: 'int', default: 8, description: 'PHP_CLI_SERVER_WORKERS of php -S (like a small php-fpm pool)' },
    timeout: { type: 'duration', default: '10s', description: 'client timeout per request' },
    role: { type: 'string', internal: true, description: 'run as one of the bench\'s processes' },
    upstream: { type: 'string', placeholder: '<url>', internal: true, description: 'the origin to proxy to' },
    port: { type: 'int', min: 0, default: 0, internal: true, description: 'port to listen on' },
    db: { type: 'string', default: '', placeholder: '<url>', internal: true, description: 'mysql.url of the sidecar' },
    token: { type: 'string', default: '', internal: true, description: 'admin.token of the sidecar' },
    secret: { type: 'string', default: '', internal: true, description: 'jobs.secret of the sidecar' },
    prefix: { type: 'string', default: '', internal: true, description: 'Redis key prefix of this run' }
  }
})

/** What the bench changes in config/examples/legacy-php.yaml, printed with the results. */
function sidecarOverrides (): Record<string, unknown> {
  return {
    server: { host: '127.0.0.1', port: values.port, maxConnections: 0 },
    upstream: { url: values.upstream },
    admin: { token: values.token },
    jobs: { secret: values.secret },
    mysql: { url: values.db },
    db: { auditSchema: `${new URL(values.db).pathname.slice(1)}_audit` },
    redis: { url: REDIS_URL, keyPrefix: values.prefix },
    log: { level: 'warn', requests: false }
  }
}

if (values.role === 'sidecar') {
  const { loadConfig } = await import('../src/sidecar-config.js')
  const { buildApp } = await import('../src/app.js')
  const { pino } = await import('pino')
  const { config } = loadConfig({ file: CONFIG, env: {}, overrides: sidecarOverrides() })
  const app = await buildApp(config, { logger: pino({ level: 'warn' }) })
  await app.listen({ host: '127.0.0.1', port: config.server.port })
  process.stdout.write(`ready http://127.0.0.1:${config.server.port}\n`)
} else {
  await main()
}

async function main (): Promise<void> {
  const php = checkPhp()
  if (!php.ok) {
    process.stderr.write(`bench/php needs PHP 8 with ${php.missing.join(', ')}: ${php.install}\n`)
    process.exit(2)
  }
  const { think: thinkMs, duration: durationMs, timeout: timeoutMs, users, rate: fixedRate } = values
  const plan = RequestPlan.fromScenario(loadScenarioFile(join(packageRoot, 'bench', 'scenarios', 'php-shop.yaml')))
  const say = (line = ''): void => { process.stdout.write(line + '\n') }

  const dbName = `sipup_bench_php_${process.pid}`
  const token = randomBytes(12).toString('hex')
  const secret = randomBytes(12).toString('hex')
  const prefix = `sipup-bench-php:${process.pid}:`
  const db = await createShopDatabase(MYSQL_SERVER, dbName)
  const procs: Started[] = []
  let shop: Awaited<ReturnType<typeof startPhpShop>> | null = null
  try {
    const shopPort = await freePort()
    const sidecarPort = await freePort()
    const sidecarUrl = `http://127.0.0.1:${sidecarPort}`
    shop = await startPhpShop({
      port: shopPort,
      db,
      workers: values.workers,
      env: { SIDECAR_ADMIN_URL: `${sidecarUrl}/_admin`, SIDECAR_ADMIN_TOKEN: token, SIDECAR_JOBS_URL: `${sidecarUrl}/_jobs`, SIDECAR_JOBS_SECRET: secret }
    })
    procs.push(await startProcess(SELF, ['--role', 'sidecar', '--port', String(sidecarPort), '--upstream', shop.url, '--db', db.url,
      '--token', token, '--secret', secret, '--prefix', prefix], /ready http/))

    // The anonymous pages of the mix once through the sidecar, 4 at a time: a cache test on an empty cache proves
    // nothing, and this shop needs ~70 ms of MariaDB CPU per product page to fill it.
    const warm = ['/', ...Array.from({ length: 40 }, (_, i) => `/catalog.php?cat=${i + 1}`), ...Array.from({ length: 100 }, (_, i) => `/product.php?id=${i + 1}`)]
    const started = Date.now()
    await Promise.all([0, 1, 2, 3].map(async k => {
      for (let i = k; i < warm.length; i += 4) await (await fetch(sidecarUrl + warm[i])).arrayBuffer()
    }))
    const warmS = ((Date.now() - started) / 1000).toFixed(1)

    say('bench/php: the plain-PHP shop (examples/legacy-php, MariaDB) direct (A) vs through the sidecar (B)')
    say(`  shop: php -S with PHP_CLI_SERVER_WORKERS=${values.workers} (PHP ${php.version}), 4,000 products, 100,000 orders, no secondary indexes on orders/order_items`)
    say('  sidecar: config/examples/legacy-php.yaml (cache rules, rate limits, jobs, DB advisor), own process; overrides: ' +
      'server.maxConnections 0, log warn, its own Redis prefix and database')
    say('  mix: bench/scenarios/php-shop.yaml (product 50 of ids 1-100, catalog 30 of 40, home 10; 20% of users log in and also see their dashboard 10)')
    say(`  before the runs: the mix's ${warm.length} anonymous pages fetched once through the sidecar (${warmS} s); logged-in variants fill during the runs`)
    say(`  latency from the intended send time; thresholds: ${DEFAULT_THRESHOLDS.map(describe).join(', ')}; 1 round each, A then B`)
    say()

    const rows: string[][] = [['load', 'target', 'offered/s', 'served/s', 'success', 'p50 ms', 'p95 ms', 'p99 ms', 'hit', 'verdict']]
    const details: string[] = []
    const runs: Array<{ label: string, model: 'rate' | 'users', level: number, warmupMs: number, ramp: { durationMs: number, target: number }[] }> = [
      { label: `${fixedRate} req/s`, model: 'rate', level: fixedRate, warmupMs: 3000, ramp: [] },
      { label: `${int(users)} users`, model: 'users', level: users, warmupMs: 8000 + thinkMs, ramp: [{ durationMs: 8000, target: users }] }
    ]
    for (const r of runs) {
      const report = await runBench({
        targets: [shop.url, sidecarUrl],
        plan,
        model: r.model,
        level: r.level,
        connections: r.model === 'users' ? users : 64,
        thinkMs,
        durationMs,
        warmupMs: r.warmupMs,
        ramp: r.ramp,
        timeoutMs,
        correct: true,
        rounds: 1,
        thresholds: [...DEFAULT_THRESHOLDS],
        // Each user its own client IP (the per-IP and login limits then see what real users would make them see).
        localAddresses: sourceAddresses('127.2.0.0/16', (o, e, g) => { throw new Error(`${o}: ${e}, ${String(g)}`) })
      })
      const [a, b] = report.targets
      for (const [name, t] of [['A direct', a], ['B sidecar', b]] as const) {
        const x = t.result
        rows.push([r.label, name, rate(x.offeredRps), rate(x.rps), pct(x.successRate), ms(x.latency.p50), ms(x.latency.p95), ms(x.latency.p99),
          pct(x.hitRatio, 1), t.pass ? 'PASS' : `FAIL (${t.checks.filter(c => !c.pass).map(c => c.text).join(', ')})`])
      }
      details.push(`  ${r.label}, B by request:`, ...breakdown(b))
      process.stderr.write(`  ${r.label} done\n`)
    }
    say(padTable(rows, c => c >= 2 && c <= 8).join('\n'))
    say()
    for (const d of details) say(d)
  } finally {
    await Promise.all(procs.map(p => p.stop()))
    await shop?.stop()
    await db.drop()
    const { Redis } = await import('ioredis')
    const redis = new Redis(REDIS_URL)
    const keys = await redis.keys(`${prefix}*`)
    if (keys.length > 0) await redis.del(...keys)
    await redis.quit()
    await import('mysql2/promise').then(async m => {
      const c = await m.createConnection({ uri: MYSQL_SERVER })
      await c.query(`DROP DATABASE IF EXISTS \`${dbName}_audit\``)
      await c.end()
    }).catch(() => {})
  }
}

function breakdown (t: TargetReport): string[] {
  const rows = [['    request', 'count', 'success', 'hit', 'p50 ms', 'p95 ms', 'p99 ms']]
  for (const [name, g] of Object.entries(t.result.byRequest)) {
    rows.push([`    ${name}`, int(g.count), pct(g.successRate), pct(g.hitRatio, 1), ms(g.latency.p50), ms(g.latency.p95), ms(g.latency.p99)])
  }
  return padTable(rows)
}
