// A node:http stand-in for the slow legacy PHP shop the sidecar goes in front of (issue 2, "Demo shop"):
// PHP session and anti-cache headers, 30-80 ms pages, and php-fpm's pm.max_children limit with a FIFO queue.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  checkCredentials, contextHash, getProduct, listProducts, PRODUCT_COUNT, priceFor, priceGroupOf, searchProducts,
  updateProductPrice
} from './products.js'
import {
  catalogPage, dashboardPage, homePage, loginPage, messagePage, notFoundPage, ordersPage, productPage, searchPage,
  type Viewer
} from './pages.js'
import { readCookie, SESSION_COOKIE, SessionStore, type Session } from './sessions.js'
import { isNotModified, STATIC_ASSETS, STATIC_CACHE_CONTROL } from './static-assets.js'
import { WorkerPool } from './worker-pool.js'
import { jobCallbacks } from './job-callbacks.js'

export interface LegacyAppOptions {
  /** @default 8081 (0 picks a free port) */
  port?: number
  /** @default '127.0.0.1' */
  host?: string
  /** php-fpm pm.max_children: requests beyond it wait in a FIFO queue. @default 20 */
  maxChildren?: number
  /** @default 30 */
  minDelayMs?: number
  /** @default 80 */
  maxDelayMs?: number
  /** @default 200 */
  searchMinDelayMs?: number
  /** @default 400 */
  searchMaxDelayMs?: number
  /** /sidecar-context.php is a tiny script, but still a PHP child. @default 2 */
  contextDelayMs?: number
  /** Serve /fast: a constant 4 KB page with no delay and no child limit. @default true */
  fastRoute?: boolean
  /** Sessions kept in memory before the oldest is dropped. @default 100000 */
  maxSessions?: number
  /** Longer than any think time a load test uses, so idle virtual users keep their connection. @default 120000 */
  keepAliveTimeoutMs?: number
  /** Secret the sidecar signs job callbacks (`POST /jobs/<type>.php`) with; '' = unsigned callbacks accepted. @default '' */
  jobsSecret?: string
}

export interface LegacyAppStats {
  /** Requests received, every route. */
  requests: number
  /** Requests received per path (without the query string). */
  byPath: Map<string, number>
  /** PHP requests running now (never more than maxChildren). */
  readonly inFlight: number
  /** PHP requests waiting for a free child. */
  readonly queued: number
  /** Highest inFlight seen. */
  readonly peakInFlight: number
  readonly sessions: number
}

export interface LegacyApp {
  url: string
  port: number
  stats: LegacyAppStats
  close: () => Promise<void>
}

const DEFAULTS = {
  port: 8081,
  host: '127.0.0.1',
  maxChildren: 20,
  minDelayMs: 30,
  maxDelayMs: 80,
  searchMinDelayMs: 200,
  searchMaxDelayMs: 400,
  contextDelayMs: 2,
  fastRoute: true,
  maxSessions: 100_000,
  keepAliveTimeoutMs: 120_000,
  jobsSecret: ''
}
const MAX_FORM_BYTES = 64 * 1024
const CATALOG_PAGE_SIZE = 20

// What PHP sends when a script calls session_start() with the default session.cache_limiter=nocache.
const PHP_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store, no-cache, must-revalidate',
  Pragma: 'no-cache',
  Expires: 'Thu, 19 Nov 1981 08:52:00 GMT',
  'X-Powered-By': 'PHP/5.6.40'
}
const FAST_BODY = buildFastBody(4096)

type Delay = 'page' | 'search' | 'context'

interface PhpContext {
  req: IncomingMessage
  res: ServerResponse
  query: URLSearchParams
  session: Session
  viewer: Viewer
  /** Set-Cookie values to send (a new session, a login, a logout). */
  cookies: string[]
  form: URLSearchParams | null
}

interface PhpScript {
  delay: Delay
  /** Read and parse an urlencoded body before the script runs (nginx buffers it before php-fpm sees it). */
  readsForm: boolean
  run: (ctx: PhpContext) => void
}

export async function startLegacyApp (opts: LegacyAppOptions = {}): Promise<LegacyApp> {
  const o = { ...DEFAULTS, ...stripUndefined(opts) }
  const pool = new WorkerPool(o.maxChildren)
  const sessions = new SessionStore(o.maxSessions)
  const timers = new Set<NodeJS.Timeout>()
  const byPath = new Map<string, number>()
  const stats: LegacyAppStats = {
    requests: 0,
    byPath,
    get inFlight () { return pool.stats.inFlight },
    get queued () { return pool.stats.queued },
    get peakInFlight () { return pool.stats.peakInFlight },
    get sessions () { return sessions.size }
  }
  const scripts = buildScripts(sessions)

  const delayFor = (kind: Delay): number => {
    if (kind === 'context') return o.contextDelayMs
    const [min, max] = kind === 'search' ? [o.searchMinDelayMs, o.searchMaxDelayMs] : [o.minDelayMs, o.maxDelayMs]
    return min + Math.random() * Math.max(0, max - min)
  }

  const runPhp = (script: PhpScript, req: IncomingMessage, res: ServerResponse, query: URLSearchParams, form: URLSearchParams | null): void => {
    let released = false
    const release = (): void => {
      if (released) return
      released = true
      pool.release()
    }
    const cancel = pool.acquire(() => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        try {
          if (!res.destroyed) script.run(phpContext(sessions, req, res, query, form))
        } catch (err) {
          sendHtml(res, 500, messagePage(anonymous, 'Internal Server Error', 'The script failed.'), [])
          process.emitWarning(err as Error)
        } finally {
          release()
        }
      }, delayFor(script.delay))
      timers.add(timer)
    })
    res.once('close', cancel)
  }

  const jobs = jobCallbacks(o.jobsSecret)
  const server: Server = createServer((req, res) => {
    const rawUrl = req.url ?? '/'
    const q = rawUrl.indexOf('?')
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q)
    stats.requests++
    byPath.set(path, (byPath.get(path) ?? 0) + 1)

    if (path === '/fast' && o.fastRoute) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': FAST_BODY.length })
      res.end(FAST_BODY)
      return
    }
    if (path === '/echo') return echo(req, res, rawUrl, path)
    if (path.startsWith('/jobs/')) return jobs.handle(req, res, path)
    const asset = STATIC_ASSETS.get(path)
    if (asset !== undefined) {
      const common = { 'Cache-Control': STATIC_CACHE_CONTROL, ETag: asset.etag, 'Last-Modified': asset.lastModified }
      if (isNotModified(asset, header(req, 'if-none-match'), header(req, 'if-modified-since'))) {
        res.writeHead(304, common)
        res.end()
        return
      }
      res.writeHead(200, { ...common, 'Content-Type': asset.contentType, 'Content-Length': asset.body.length })
      res.end(asset.body)
      return
    }
    const script = scripts.get(path)
    if (script === undefined) {
      // nginx answers for missing files itself; php-fpm is never involved.
      const body = path.endsWith('.php') ? 'File not found.\n' : '<html><body><h1>404 Not Found</h1></body></html>\n'
      res.writeHead(404, { 'Content-Type': path.endsWith('.php') ? 'text/plain' : 'text/html', 'Content-Length': Buffer.byteLength(body) })
      res.end(body)
      return
    }
    const query = new URLSearchParams(q === -1 ? '' : rawUrl.slice(q + 1))
    if (!script.readsForm || req.method !== 'POST') {
      req.resume()
      runPhp(script, req, res, query, null)
      return
    }
    readForm(req, (err, form) => {
      if (err !== null) {
        res.writeHead(413, { 'Content-Type': 'text/plain', Connection: 'close' })
        res.end('Request Entity Too Large\n')
        return
      }
      runPhp(script, req, res, query, form)
    })
  })
  server.keepAliveTimeout = o.keepAliveTimeoutMs
  server.headersTimeout = Math.min(60_000, o.keepAliveTimeoutMs + 1000)

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ port: o.port, host: o.host, backlog: 8192 }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  const hostForUrl = o.host.includes(':') ? `[${o.host}]` : o.host

  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    stats,
    close: async () => {
      for (const t of timers) clearTimeout(t)
      timers.clear()
      pool.clear()
      const closed = new Promise<void>(resolve => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
    }
  }
}

const anonymous: Viewer = { user: null, group: null }

function phpContext (sessions: SessionStore, req: IncomingMessage, res: ServerResponse, query: URLSearchParams, form: URLSearchParams | null): PhpContext {
  const cookies: string[] = []
  const sid = readCookie(header(req, 'cookie'), SESSION_COOKIE)
  let session = sessions.adopt(sid)
  if (session === undefined) {
    session = sessions.create()
    cookies.push(sessionCookie(session.id))
  }
  const viewer: Viewer = session.user === null ? anonymous : { user: session.user, group: priceGroupOf(session.user) }
  return { req, res, query, session, viewer, cookies, form }
}

function buildScripts (sessions: SessionStore): Map<string, PhpScript> {
  const page = (run: PhpScript['run'], delay: Delay = 'page', readsForm = false): PhpScript => ({ delay, readsForm, run })
  const requireLogin = (ctx: PhpContext): boolean => {
    if (ctx.viewer.user !== null) return true
    redirect(ctx, '/login.php')
    return false
  }

  return new Map<string, PhpScript>([
    ['/', page(ctx => html(ctx, 200, homePage(ctx.viewer, listProducts(undefined).slice(0, 8))))],
    ['/index.php', page(ctx => html(ctx, 200, homePage(ctx.viewer, listProducts(undefined).slice(0, 8))))],
    ['/catalog.php', page(ctx => {
      const category = ctx.query.get('category') ?? ''
      const all = listProducts(category)
      const pages = Math.max(1, Math.ceil(all.length / CATALOG_PAGE_SIZE))
      const pageNo = Math.min(pages, Math.max(1, Number.parseInt(ctx.query.get('page') ?? '1', 10) || 1))
      const items = all.slice((pageNo - 1) * CATALOG_PAGE_SIZE, pageNo * CATALOG_PAGE_SIZE)
      html(ctx, 200, catalogPage(ctx.viewer, category, pageNo, pages, items))
    })],
    ['/product.php', page(ctx => {
      const p = getProduct(Number(ctx.query.get('id')))
      if (p === undefined) return html(ctx, 404, notFoundPage(ctx.viewer, `There is no product with id ${ctx.query.get('id') ?? '(none)'}.`))
      html(ctx, 200, productPage(ctx.viewer, p))
    })],
    ['/search.php', page(ctx => {
      const q = ctx.query.get('q') ?? ''
      html(ctx, 200, searchPage(ctx.viewer, q, searchProducts(q)))
    }, 'search')],
    ['/login.php', page(ctx => {
      if (ctx.req.method !== 'POST' || ctx.form === null) return html(ctx, 200, loginPage(ctx.viewer, null))
      const username = ctx.form.get('username') ?? ''
      if (!checkCredentials(username, ctx.form.get('password') ?? '')) {
        return html(ctx, 401, loginPage(ctx.viewer, 'Unknown user or wrong password.'))
      }
      // session_regenerate_id(true): a new id after login, so a planted id is worthless.
      sessions.destroy(ctx.session.id)
      const fresh = sessions.create(username)
      ctx.cookies.length = 0
      ctx.cookies.push(sessionCookie(fresh.id))
      // setcookie('logged_in', '1'): tells the sidecar (cache.loggedIn) this visitor's pages are their own; every
      // visitor has a PHPSESSID, so the session cookie alone can't say that.
      ctx.cookies.push(`${LOGGED_IN_COOKIE}=1; path=/`)
      redirect(ctx, '/dashboard.php')
    }, 'page', true)],
    ['/logout.php', page(ctx => {
      sessions.destroy(ctx.session.id)
      ctx.cookies.length = 0
      ctx.cookies.push(`${SESSION_COOKIE}=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0; path=/`)
      ctx.cookies.push(`${LOGGED_IN_COOKIE}=deleted; expires=Thu, 01-Jan-1970 00:00:01 GMT; Max-Age=0; path=/`)
      redirect(ctx, '/')
    })],
    ['/dashboard.php', page(ctx => {
      if (!requireLogin(ctx)) return
      html(ctx, 200, dashboardPage(ctx.viewer, recentFor(ctx.viewer.user ?? '', 5)))
    })],
    ['/account/orders.php', page(ctx => {
      if (!requireLogin(ctx)) return
      const orders = recentFor(ctx.viewer.user ?? '', 12).map((product, i) => ({ no: `SO-${10_000 + product.id * 7 + i}`, product, qty: 1 + (product.id % 9) }))
      html(ctx, 200, ordersPage(ctx.viewer, orders))
    })],
    ['/api/products.php', page(ctx => {
      const idParam = ctx.query.get('id')
      if (idParam === null || idParam === '') {
        const list = listProducts(ctx.query.get('category') ?? undefined).slice(0, 50)
        return json(ctx, 200, { total: PRODUCT_COUNT, products: list.map(p => apiProduct(p.id, ctx.viewer)) })
      }
      const body = apiProduct(Number(idParam), ctx.viewer)
      if (body === undefined) return json(ctx, 404, { error: 'not_found', id: idParam })
      json(ctx, 200, body)
    })],
    ['/sidecar-context.php', page(ctx => {
      send(ctx.res, 200, 'text/plain; charset=UTF-8', 'OK\n', ctx.cookies, {
        'Cache-Control': 'private',
        Vary: 'Cookie',
        'X-User-Context-Hash': contextHash(ctx.viewer.group),
        'X-Powered-By': PHP_HEADERS['X-Powered-By']
      })
    }, 'context')],
    ['/admin/product-save.php', page(ctx => {
      if (ctx.req.method !== 'POST' || ctx.form === null) {
        return html(ctx, 405, messagePage(ctx.viewer, 'Method not allowed', 'POST id and price (euros) to save a product.'))
      }
      const id = Number(ctx.form.get('id'))
      const price = Number(ctx.form.get('price'))
      if (!Number.isFinite(price) || price <= 0 || getProduct(id) === undefined) {
        return html(ctx, 400, messagePage(ctx.viewer, 'Bad request', 'Expected an existing product id and a positive price.'))
      }
      updateProductPrice(id, Math.round(price * 100))
      html(ctx, 200, messagePage(ctx.viewer, 'Saved', `Product ${id} now costs ${price.toFixed(2)}.`), { 'X-Product-Id': String(id) })
    }, 'page', true)]
  ])
}

function apiProduct (id: number, viewer: Viewer): Record<string, unknown> | undefined {
  const p = getProduct(id)
  if (p === undefined) return undefined
  return { id: p.id, name: p.name, category: p.category, priceCents: priceFor(p, viewer.group), priceGroup: viewer.group, stock: p.stock }
}

function recentFor (user: string, n: number): ReturnType<typeof listProducts> {
  const seed = Number(/\d+/.exec(user)?.[0] ?? 1)
  const out = []
  for (let i = 0; i < n; i++) {
    const p = getProduct(1 + ((seed * 37 + i * 53) % PRODUCT_COUNT))
    if (p !== undefined) out.push(p)
  }
  return out
}

function html (ctx: PhpContext, status: number, body: string, extra: Record<string, string> = {}): void {
  send(ctx.res, status, 'text/html; charset=UTF-8', body, ctx.cookies, { ...PHP_HEADERS, ...extra })
}

function json (ctx: PhpContext, status: number, body: unknown): void {
  send(ctx.res, status, 'application/json', JSON.stringify(body), ctx.cookies, PHP_HEADERS)
}

function redirect (ctx: PhpContext, location: string): void {
  send(ctx.res, 302, 'text/html; charset=UTF-8', '', ctx.cookies, { ...PHP_HEADERS, Location: location })
}

function sendHtml (res: ServerResponse, status: number, body: string, cookies: string[]): void {
  send(res, status, 'text/html; charset=UTF-8', body, cookies, PHP_HEADERS)
}

function send (res: ServerResponse, status: number, type: string, body: string, cookies: string[], headers: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return
  const out: Record<string, string | number | string[]> = { ...headers, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) }
  if (cookies.length > 0) out['Set-Cookie'] = cookies
  res.writeHead(status, out)
  res.end(body)
}

/** Flag cookie set at login and removed at logout (`cache.loggedIn.cookies` in config/demo.yaml). */
export const LOGGED_IN_COOKIE = 'logged_in'

function sessionCookie (id: string): string {
  return `${SESSION_COOKIE}=${id}; path=/`
}

function header (req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v.join(', ') : v
}

function readForm (req: IncomingMessage, cb: (err: Error | null, form: URLSearchParams | null) => void): void {
  const chunks: Buffer[] = []
  let size = 0
  let done = false
  req.on('data', (chunk: Buffer) => {
    if (done) return
    size += chunk.length
    if (size > MAX_FORM_BYTES) {
      done = true
      req.resume()
      cb(new RangeError(`form body larger than ${MAX_FORM_BYTES} bytes`), null)
      return
    }
    chunks.push(chunk)
  })
  req.once('end', () => {
    if (done) return
    done = true
    cb(null, new URLSearchParams(Buffer.concat(chunks).toString('utf8')))
  })
  req.once('error', () => { done = true })
}

/** Counts the body as it streams past: memory use stays at one chunk whatever the upload size. */
function echo (req: IncomingMessage, res: ServerResponse, rawUrl: string, path: string): void {
  let bodyLength = 0
  req.on('data', (chunk: Buffer) => { bodyLength += chunk.length })
  req.once('end', () => {
    const body = JSON.stringify({ method: req.method, url: rawUrl, path, headers: req.headers, bodyLength })
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) })
    res.end(body)
  })
}

function buildFastBody (size: number): Buffer {
  const head = '<!DOCTYPE html><html><head><title>fast</title></head><body><p>'
  const tail = '</p></body></html>\n'
  return Buffer.from(head + 'x'.repeat(size - head.length - tail.length) + tail)
}

function stripUndefined<T extends object> (obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>
}
