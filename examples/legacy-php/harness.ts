// Runs the plain-PHP shop of examples/legacy-php for the demo (`npm run demo:php`), the e2e suite and bench/php.ts:
// checks that PHP has what the shop needs, creates and seeds its MariaDB database (seconds: INSERT ... SELECT from
// the SEQUENCE engine), and starts it with PHP's built-in server and PHP_CLI_SERVER_WORKERS worker processes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createConnection } from 'mysql2/promise'
import { packageRoot } from '../../src/paths.js'

export const SHOP_ROOT = join(packageRoot, 'examples', 'legacy-php')
/** PHP extensions the shop uses: PDO MySQL for the database, curl for the sidecar's job and purge APIs. */
export const PHP_EXTENSIONS = ['pdo_mysql', 'curl', 'session', 'json'] as const
/** What to install on Debian/Ubuntu for each missing piece. */
const APT_PACKAGE: Record<string, string> = { php: 'php-cli', pdo_mysql: 'php-mysql', curl: 'php-curl', session: 'php-cli', json: 'php-cli' }

export type PhpCheck = { ok: true, bin: string, version: string } | { ok: false, bin: string, missing: string[], install: string }

/** Is there a PHP 8 CLI with the shop's extensions? Names the apt packages when not. */
export function checkPhp (bin = process.env.PHP_BIN ?? 'php'): PhpCheck {
  const r = spawnSync(bin, ['-r', 'echo PHP_VERSION, "\\n", implode(",", array_map("strtolower", get_loaded_extensions()));'], { encoding: 'utf8' })
  const fail = (missing: string[]): PhpCheck => ({
    ok: false, bin, missing, install: `apt-get install ${[...new Set(missing.map(m => APT_PACKAGE[m] ?? `php-${m}`))].join(' ')}`
  })
  // No PHP at all: the extensions are missing too (each is its own package).
  if (r.status !== 0 || typeof r.stdout !== 'string') return fail(['php', 'pdo_mysql', 'curl'])
  const [version, exts] = r.stdout.split('\n')
  if (Number(version.split('.')[0]) < 8) return fail(['php', 'pdo_mysql', 'curl'])
  const have = new Set(exts.split(','))
  const missing = PHP_EXTENSIONS.filter(e => !have.has(e))
  return missing.length === 0 ? { ok: true, bin, version } : fail(missing)
}

export interface ShopDatabase {
  name: string
  /** PDO DSN for the shop (SHOP_DB_DSN). */
  dsn: string
  /** mysql:// URL of the database, for the sidecar's `mysql.url`. */
  url: string
  drop(): Promise<void>
}

/** Creates database `name` (dropping an old one of that name), loads sql/schema.sql and sql/seed.sql. */
export async function createShopDatabase (serverUrl: string, name: string): Promise<ShopDatabase> {
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`database name '${name}': letters, digits and _ only`)
  const conn = await createConnection({ uri: serverUrl, multipleStatements: true })
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``)
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`)
    await conn.query(`USE \`${name}\``)
    await conn.query(readFileSync(join(SHOP_ROOT, 'sql', 'schema.sql'), 'utf8'))
    await conn.query(readFileSync(join(SHOP_ROOT, 'sql', 'seed.sql'), 'utf8'))
  } finally {
    await conn.end()
  }
  const u = new URL(serverUrl)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    name,
    dsn: `mysql:host=${u.hostname};port=${u.port === '' ? '3306' : u.port};dbname=${name};charset=utf8mb4`,
    url: url.toString(),
    async drop () {
      const c = await createConnection({ uri: serverUrl })
      try { await c.query(`DROP DATABASE IF EXISTS \`${name}\``) } finally { await c.end() }
    }
  }
}

export interface PhpShopOptions {
  port: number
  host?: string
  db: ShopDatabase
  /** User and password of the shop's database connection (from the server URL when empty). */
  dbUser?: string
  dbPassword?: string
  /** PHP_CLI_SERVER_WORKERS: concurrent requests the built-in server handles (it is one process per worker). */
  workers?: number
  /** SIDECAR_ADMIN_URL, SIDECAR_ADMIN_TOKEN, SIDECAR_JOBS_URL, SIDECAR_JOBS_SECRET, SHOP_CONTEXT_SALT... */
  env?: Record<string, string>
  bin?: string
  /** Write PHP's request log lines to this stream (default: kept, only the last lines, for error messages). */
  log?: NodeJS.WritableStream
}

export interface PhpShop {
  url: string
  child: ChildProcess
  stop(): Promise<void>
}

/** The largest upload the shop accepts (php.ini upload_max_filesize; post_max_size a bit more). */
export const MAX_UPLOAD = '64M'

async function answers (url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) })
    await res.arrayBuffer()
    return true
  } catch {
    return false
  }
}

/** Starts `php -S` on the shop's public/ folder and resolves once it answers. */
export async function startPhpShop (o: PhpShopOptions): Promise<PhpShop> {
  const host = o.host ?? '127.0.0.1'
  // A server still on the port (an earlier run) would answer the readiness check for us: refuse instead.
  if (await answers(`http://${host}:${o.port}/`)) throw new Error(`port ${o.port} on ${host} is already in use`)
  const sessions = mkdtempSync(join(tmpdir(), 'legacy-php-sessions-'))
  const args = [
    '-S', `${host}:${o.port}`, '-t', join(SHOP_ROOT, 'public'),
    '-d', `upload_max_filesize=${MAX_UPLOAD}`, '-d', 'post_max_size=66M', '-d', 'memory_limit=256M',
    '-d', `session.save_path=${sessions}`, '-d', 'display_errors=stderr', '-d', 'log_errors=0'
  ]
  // Its own process group: with PHP_CLI_SERVER_WORKERS the server forks workers that outlive a SIGTERM to the
  // parent, so stop() signals the whole group.
  const child = spawn(o.bin ?? 'php', args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PHP_CLI_SERVER_WORKERS: String(o.workers ?? 8),
      SHOP_DB_DSN: o.db.dsn,
      SHOP_DB_USER: o.dbUser ?? 'root',
      SHOP_DB_PASS: o.dbPassword ?? '',
      ...o.env
    }
  })
  let tail = ''
  const keep = (c: Buffer): void => {
    if (o.log !== undefined) o.log.write(c)
    tail = (tail + c.toString()).slice(-4000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let exited = false
  child.once('exit', () => { exited = true; rmSync(sessions, { recursive: true, force: true }) })
  const url = `http://${host}:${o.port}`
  const signalGroup = (signal: NodeJS.Signals): void => {
    try { process.kill(-(child.pid ?? 0), signal) } catch { /* already gone */ }
  }
  const stop = (): Promise<void> => new Promise(resolve => {
    if (exited) { signalGroup('SIGKILL'); resolve(); return }
    child.once('exit', () => { signalGroup('SIGKILL'); resolve() })
    signalGroup('SIGTERM')
    setTimeout(() => { if (!exited) signalGroup('SIGKILL') }, 2000).unref()
  })
  for (let i = 0; i < 100; i++) {
    if (exited) throw new Error(`php -S exited before it answered:\n${tail}`)
    try {
      const res = await fetch(`${url}/static/shop.css`)
      await res.arrayBuffer()
      if (res.ok) return { url, child, stop }
    } catch { /* not up yet */ }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  await stop()
  throw new Error(`php -S on ${url} did not answer within 10 s:\n${tail}`)
}
