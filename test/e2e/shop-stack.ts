// The whole stack of examples/legacy-php for an e2e test file: its own MariaDB database (seeded in seconds), the
// PHP shop under `php -S` with PHP_CLI_SERVER_WORKERS on a port of its own, one or more sidecars with
// config/examples/legacy-php.yaml on port 0 sharing one Redis key prefix, and a job worker. Everything is closed
// and dropped in t.teardown. Without PHP (pdo_mysql, curl), Redis or MariaDB the test skips locally, fails in CI.
import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { Agent, request } from 'undici'
import type { Test } from 'tap'
import { checkPhp, createShopDatabase, startPhpShop, type PhpShop, type ShopDatabase } from '../../examples/legacy-php/harness.js'
import { freePort } from '../../bench/lib/free-port.js'
import { packageRoot } from '../../src/paths.js'
import { runSidecar, runWorker, type RunningSidecar } from '../../src/run.js'
import { loadConfig, type FrozenConfig } from '../../src/sidecar-config.js'
import { deepMerge, type Overrides } from '../helpers/sidecar.js'
import { MYSQL_URL, REDIS_URL, requireMysql, requireRedis, requireThat, uniquePrefix } from '../helpers/services.js'

export const CONFIG_FILE = join(packageRoot, 'config', 'examples', 'legacy-php.yaml')

export interface ShopStack {
  php: PhpShop
  db: ShopDatabase
  sidecars: RunningSidecar[]
  config: FrozenConfig
  adminToken: string
  /** Through the first sidecar. */
  url: string
}

const quiet = new Writable({ write (_c, _e, cb) { cb() } })

function serverUrl (): string {
  const u = new URL(MYSQL_URL)
  u.pathname = '/'
  return u.toString()
}

/** Starts the stack, or returns null when a need is missing (the test was skipped or failed). */
export async function startShopStack (t: Test, name: string, opts: { instances?: number, worker?: boolean, overrides?: Overrides } = {}): Promise<ShopStack | null> {
  const php = checkPhp()
  if (!await requireThat(t, php.ok, php.ok ? '' : `PHP 8 with ${php.missing.join(', ')} is not installed (${php.install})`)) return null
  if (!await requireRedis(t) || !await requireMysql(t)) return null

  const dbName = `sipup_test_e2e_${name}_${process.pid}_${randomBytes(3).toString('hex')}`
  const keyPrefix = uniquePrefix(`e2e-${name}`)
  const adminToken = randomBytes(16).toString('hex')
  const jobsSecret = randomBytes(16).toString('hex')
  const t0 = Date.now()
  const db = await createShopDatabase(serverUrl(), dbName)
  const seededMs = Date.now() - t0
  const closers: (() => Promise<unknown>)[] = [() => db.drop()]
  t.teardown(async () => {
    const t1 = Date.now()
    for (const c of closers.reverse()) await c().catch(() => {})
    if (process.env.E2E_TIMING === '1') process.stderr.write(`e2e ${name}: teardown ${Date.now() - t1} ms\n`)
    const redis = new Redis(REDIS_URL)
    const keys = await redis.keys(`${keyPrefix}*`)
    if (keys.length > 0) await redis.del(...keys)
    await redis.quit()
  })

  const phpPort = await freePort()
  const base: Overrides = {
    server: { host: '127.0.0.1', port: 0, shutdownTimeout: '2s' },
    upstream: { url: `http://127.0.0.1:${phpPort}` },
    admin: { token: adminToken },
    jobs: { secret: jobsSecret, shutdownTimeout: '2s' },
    mysql: { url: db.url },
    redis: { url: REDIS_URL, keyPrefix },
    db: { auditSchema: `${dbName}_audit` },
    log: { level: 'silent', requests: false },
    // One client (127.0.0.1) plays every visitor here: the page tiers can't be per-IP budgets of one person.
    rateLimit: { ip: { limit: 1_000_000 }, user: { limit: 1_000_000 } }
  }
  const { config } = loadConfig({ file: CONFIG_FILE, env: {}, overrides: deepMerge(base, opts.overrides ?? {}) })
  closers.push(async () => {
    const c = await import('mysql2/promise').then(m => m.createConnection({ uri: serverUrl() }))
    await c.query(`DROP DATABASE IF EXISTS \`${dbName}_audit\``)
    await c.end()
  })

  const sidecars: RunningSidecar[] = []
  for (let i = 0; i < (opts.instances ?? 1); i++) {
    const s = await runSidecar(config, { signals: false, out: quiet })
    sidecars.push(s)
    closers.push(() => s.shutdown('test'))
  }
  const shop = await startPhpShop({
    port: phpPort,
    db,
    workers: 8,
    env: {
      SIDECAR_ADMIN_URL: `${sidecars[0].url}${config.admin.prefix}`,
      SIDECAR_ADMIN_TOKEN: adminToken,
      SIDECAR_JOBS_URL: `${sidecars[0].url}${config.jobs.prefix}`,
      SIDECAR_JOBS_SECRET: jobsSecret
    }
  })
  closers.push(() => shop.stop())
  if (opts.worker === true) {
    const w = await runWorker(config, { signals: false, out: quiet })
    closers.push(() => w.shutdown('test'))
  }
  if (process.env.E2E_TIMING === '1') process.stderr.write(`e2e ${name}: seeded in ${seededMs} ms, stack up in ${Date.now() - t0} ms\n`)
  return { php: shop, db, sidecars, config, adminToken, url: sidecars[0].url }
}

export interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

const agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 })

/** A visitor: keeps its cookies, never follows redirects, can pretend to come from `ip` (X-Forwarded-For). */
export class Browser {
  readonly cookies = new Map<string, string>()
  constructor (readonly base: string, readonly ip = '') {}

  async send (method: string, path: string, opts: { body?: string | Buffer, headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'text/html', ...opts.headers }
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    if (this.ip !== '') headers['x-forwarded-for'] = this.ip
    const res = await request(this.base + path, { method: method as 'GET', headers, body: opts.body, dispatcher: agent })
    const body = await res.body.text()
    const set = res.headers['set-cookie']
    for (const c of Array.isArray(set) ? set : set === undefined ? [] : [set]) {
      const [pair, ...attrs] = c.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attrs.some(a => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now())
      if (value === '' || value === 'deleted' || expired) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return { status: res.statusCode, headers: res.headers, body }
  }

  get (path: string, headers?: Record<string, string>): Promise<Answer> { return this.send('GET', path, { headers }) }

  post (path: string, form: Record<string, string>): Promise<Answer> {
    return this.send('POST', path, { body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  }

  async login (username: string, password = 'secret'): Promise<Answer> {
    return this.post('/login.php', { username, password })
  }
}

export function xcache (a: Answer): string {
  return String(a.headers['x-cache'] ?? 'none')
}

/** The price shown for `product` on a page (its data-product element). */
export function priceOf (html: string, product: number): string | null {
  return new RegExp(`data-product="${product}">([0-9.]+) EUR`).exec(html)?.[1] ?? null
}

export async function closeAgent (): Promise<void> { await agent.close() }

/**
 * Fetches `path` until it is answered from the cache (at most 10 tries, 50 ms apart): a miss is stored after its
 * answer went out, so the request right after it may still miss. True when it was a HIT.
 */
export async function warm (b: Browser, path: string): Promise<boolean> {
  for (let i = 0; i < 10; i++) {
    if (xcache(await b.get(path)) === 'HIT') return true
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return false
}
