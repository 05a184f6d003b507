// `npm run demo:php`: the plain-PHP shop of examples/legacy-php on MariaDB, with the sidecar in front of it.
// Creates and seeds its database (DEMO_PHP_DB, default sipup_demo_legacy_shop, on DEMO_MYSQL_URL or
// mysql://root@127.0.0.1:3306), starts the shop with `php -S` and PHP_CLI_SERVER_WORKERS on :8091, the sidecar
// with config/examples/legacy-php.yaml on :8090 and one job worker, and prints the URLs. Without PHP (or its
// pdo_mysql / curl extensions) it says what to install and exits 2; without MariaDB too.
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { createConnection } from 'mysql2/promise'
import { loadConfig } from '../src/sidecar-config.js'
import { packageRoot } from '../src/paths.js'
import { runSidecar, runWorker } from '../src/run.js'
import { checkPhp, createShopDatabase, startPhpShop } from './legacy-php/harness.js'

const SIDECAR_PORT = Number(process.env.DEMO_PHP_PORT ?? 8090)
const SHOP_PORT = Number(process.env.DEMO_PHP_SHOP_PORT ?? 8091)
const SERVER_URL = process.env.DEMO_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306'
const DB_NAME = process.env.DEMO_PHP_DB ?? 'sipup_demo_legacy_shop'
const CONFIG_FILE = process.env.SIDECAR_CONFIG ?? join(packageRoot, 'config', 'examples', 'legacy-php.yaml')

function fail (message: string): never {
  process.stderr.write(message.endsWith('\n') ? message : message + '\n')
  process.exit(2)
}

const php = checkPhp()
if (!php.ok) {
  const what = php.missing.includes('php')
    ? `PHP 8 with pdo_mysql and curl (no PHP 8 at '${php.bin}')`
    : `PHP's ${php.missing.join(', ')} extension(s) ('${php.bin}' lacks them)`
  fail(`demo:php needs ${what}.\nInstall: ${php.install}   (Debian/Ubuntu; or set PHP_BIN to another php)`)
}
try {
  const c = await createConnection({ uri: SERVER_URL, connectTimeout: 2000 })
  await c.end()
} catch (err) {
  fail(`demo:php needs MariaDB at ${SERVER_URL} (${(err as Error).message}); set DEMO_MYSQL_URL, or install: apt-get install mariadb-server`)
}

process.stderr.write(`creating and seeding database ${DB_NAME}...\n`)
const started = Date.now()
const db = await createShopDatabase(SERVER_URL, DB_NAME)
process.stderr.write(`  seeded in ${((Date.now() - started) / 1000).toFixed(1)} s (4,000 products, 2,000 customers, 100,000 orders)\n`)

// The demo's secrets, unless the environment has its own: the shop and the sidecar must agree on both.
const adminToken = process.env.SIDECAR_ADMIN_TOKEN ?? randomBytes(16).toString('hex')
const jobsSecret = process.env.SIDECAR_JOBS_SECRET ?? randomBytes(16).toString('hex')
const sidecarUrl = `http://127.0.0.1:${SIDECAR_PORT}`

let loaded
try {
  loaded = loadConfig({
    file: CONFIG_FILE,
    overrides: {
      server: { port: SIDECAR_PORT },
      upstream: { url: `http://127.0.0.1:${SHOP_PORT}` },
      admin: { token: adminToken },
      jobs: { secret: jobsSecret },
      mysql: { url: process.env.MYSQL_URL ?? db.url },
      redis: { keyPrefix: 'sipup-demo-php:' },
      log: { requests: false }
    }
  })
} catch (err) {
  fail((err as Error).message)
}
const config = loaded.config

const shop = await startPhpShop({
  port: SHOP_PORT,
  db,
  workers: 8,
  // DEMO_PHP_LOG=1: PHP's request log and errors on this terminal.
  ...(process.env.DEMO_PHP_LOG === '1' ? { log: process.stderr } : {}),
  env: {
    SIDECAR_ADMIN_URL: `${sidecarUrl}${config.admin.prefix}`,
    SIDECAR_ADMIN_TOKEN: adminToken,
    SIDECAR_JOBS_URL: `${sidecarUrl}${config.jobs.prefix}`,
    SIDECAR_JOBS_SECRET: jobsSecret
  }
})
process.stderr.write(`PHP ${php.version} shop (php -S, 8 workers) on ${shop.url}\n`)
let sidecar: Awaited<ReturnType<typeof runSidecar>> | null = null
let worker: Awaited<ReturnType<typeof runWorker>> | null = null
// Installed before the sidecar starts, so a Ctrl+C during start-up still stops PHP's workers.
const stop = (): void => {
  Promise.allSettled([worker?.shutdown('signal'), sidecar?.shutdown('signal')])
    .then(() => shop.stop())
    .then(() => process.exit(0), () => process.exit(1))
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
sidecar = await runSidecar(config, { signals: false })
worker = await runWorker(config, { signals: false })

const admin = config.admin.prefix
process.stderr.write([
  '',
  `  Shop through the sidecar:  ${sidecar.url}/`,
  `  Shop direct (PHP):         ${shop.url}/`,
  `  Log in:                    ${sidecar.url}/login.php  user1 (Retail), user2 (Silver), user3 (Gold), user4 (Platinum), admin; password: secret`,
  `  Admin product edit:        ${sidecar.url}/admin/product.php?id=42 (as admin: purges the product's pages)`,
  `  Sidecar dashboard:         ${sidecar.url}${admin}  (Authorization: Bearer ${adminToken})`,
  `  DB advisor:                the dashboard's DB panel, or MYSQL_URL=${db.url} npx sipup-sidecar db analyze --source processlist`,
  `  Job endpoint:              ${sidecar.url}${config.jobs.prefix} (one worker running in this process)`,
  '',
  `Database ${DB_NAME} is kept; it is re-created on the next start. Press Ctrl+C to stop.`,
  ''
].join('\n'))
