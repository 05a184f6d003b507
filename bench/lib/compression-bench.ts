// Pass-through compression costs and gains (issue 17): requests/s of a 20 KB HTML page through two sidecars side
// by side, proxy.compression off and on (rounds interleaved, median of per-round ratios), and the bytes the
// demo shop's pages take identity vs br vs gzip through the sidecar. Every party runs in its own process; this
// module is also the script those processes run (`--role`).
import http from 'node:http'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { request } from 'undici'
import { Value } from '@sinclair/typebox/value'
import { ProxyCompressionSchema } from '../../src/proxy/compression/schema.js'
import { freePort } from './free-port.js'
import { startProcess, waitFor, type Started } from './processes.js'
import { announceReady, startSidecarRole } from './roles.js'
import { interleaved, median, medianRps, table, wrk, type Target } from './wrk.js'

const SELF = fileURLToPath(import.meta.url)
/** What a current browser sends. */
const BROWSER_ACCEPT = 'gzip, deflate, br, zstd'
const PAGE_BYTES = 20 * 1024
const DEFAULT_QUALITY = Value.Default(ProxyCompressionSchema.properties.brotliQuality, undefined) as number

export interface CompressionBenchOptions {
  rounds?: number
  seconds?: number
  connections?: number
  /** proxy.compression.brotliQuality of the compressing sidecar. */
  brotliQuality?: number
}

export interface PageBytes { path: string, identity: number, br: number, gzip: number }

export interface CompressionBenchResult {
  /** wrk's per-target medians, as a printable table. */
  table: string
  rpsOff: number
  rpsOn: number
  perRound: number[]
  /** Median of the per-round on/off ratios: the headline (target >= 0.85). */
  ratio: number
  pageBytes: number
  shop: PageBytes[]
  shopTotal: PageBytes
  settings: string
}

/** The demo shop's pages the bytes-saved figure is taken on (GET, anonymous). */
const SHOP_PAGES = ['/index.php', '/catalog.php', '/catalog.php?category=tools', '/product.php?id=42',
  '/search.php?q=steel', '/login.php', '/api/products.php', '/api/products.php?id=7']

/** A 20 KB catalog page made with the demo shop's own templates, served with no delay. */
async function pageRole (port: number): Promise<void> {
  const { catalogPage } = await import('../../examples/legacy-app/pages.js')
  const { listProducts } = await import('../../examples/legacy-app/products.js')
  const all = listProducts(undefined)
  let n = 1
  let body = ''
  while (n <= all.length) {
    body = catalogPage({ user: null, group: null }, '', 1, 1, all.slice(0, n))
    if (Buffer.byteLength(body) >= PAGE_BYTES) break
    n++
  }
  const buf = Buffer.from(body)
  const server = http.createServer((req, res) => {
    req.resume()
    res.writeHead(200, { 'content-type': 'text/html; charset=UTF-8', 'content-length': String(buf.length), 'cache-control': 'no-store' })
    res.end(buf)
  })
  server.keepAliveTimeout = 120_000
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
}

async function shopRole (port: number): Promise<void> {
  const { startLegacyApp } = await import('../../examples/legacy-app/shop.js')
  await startLegacyApp({ port, host: '127.0.0.1', minDelayMs: 0, maxDelayMs: 1, searchMinDelayMs: 0, searchMaxDelayMs: 1 })
}

async function role (name: string, port: number, upstream: string, quality: number): Promise<void> {
  if (name === 'page') await pageRole(port)
  else if (name === 'shop') await shopRole(port)
  else if (name === 'sidecar-off') await startSidecarRole(port, upstream, { proxy: { compression: { enabled: false } } })
  else if (name === 'sidecar-on') await startSidecarRole(port, upstream, { proxy: { compression: { brotliQuality: quality } } })
  else throw new Error(`unknown role '${name}'`)
  announceReady(name)
}

async function bytesOf (url: string, accept: string | null): Promise<number> {
  const res = await request(url, { headers: accept === null ? {} : { 'accept-encoding': accept } })
  const body = Buffer.from(await res.body.arrayBuffer())
  const enc = res.headers['content-encoding']
  // Pages below proxy.compression.minSize come back identity: they count as they are.
  if (accept !== null && enc !== undefined && enc !== accept) throw new Error(`${url}: asked for ${accept}, got ${enc}`)
  return body.length
}

export async function runCompressionBench (opts: CompressionBenchOptions = {}): Promise<CompressionBenchResult> {
  const rounds = opts.rounds ?? 7
  const seconds = opts.seconds ?? 5
  const connections = opts.connections ?? 32
  const quality = String(opts.brotliQuality ?? DEFAULT_QUALITY)
  const [pPage, pShop, pOff, pOn, pShopSidecar] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()])
  const pageOrigin = `http://127.0.0.1:${pPage}`
  const shopOrigin = `http://127.0.0.1:${pShop}`
  const dir = mkdtempSync(join(tmpdir(), 'sipup-bench-compress-'))
  const script = join(dir, 'accept.lua')
  writeFileSync(script, `wrk.headers["Accept-Encoding"] = "${BROWSER_ACCEPT}"\n`)
  const procs: Started[] = []
  try {
    procs.push(await startProcess(SELF, ['--role', 'page', '--port', String(pPage)], /ready page/))
    procs.push(await startProcess(SELF, ['--role', 'shop', '--port', String(pShop)], /ready shop/))
    procs.push(await startProcess(SELF, ['--role', 'sidecar-off', '--port', String(pOff), '--upstream', pageOrigin], /ready sidecar-off/))
    procs.push(await startProcess(SELF, ['--role', 'sidecar-on', '--port', String(pOn), '--upstream', pageOrigin, '--quality', quality], /ready sidecar-on/))
    procs.push(await startProcess(SELF, ['--role', 'sidecar-on', '--port', String(pShopSidecar), '--upstream', shopOrigin, '--quality', quality], /ready sidecar-on/))
    const off = 'compression off'
    const on = 'compression on (br)'
    const targets: Target[] = [
      { name: off, url: `http://127.0.0.1:${pOff}/catalog.php` },
      { name: on, url: `http://127.0.0.1:${pOn}/catalog.php` }
    ]
    for (const t of targets) await waitFor(t.url)
    const pageBytes = await bytesOf(targets[0].url, null)
    for (const t of targets) await wrk(t.url, { connections, seconds: 2, script })
    const results = await interleaved(targets, rounds, { connections, seconds, script })
    const offRuns = results.get(off) ?? []
    const perRound = (results.get(on) ?? []).map((r, i) => r.rps / (offRuns[i]?.rps ?? NaN))

    const shop: PageBytes[] = []
    const base = `http://127.0.0.1:${pShopSidecar}`
    await waitFor(`${base}/index.php`)
    for (const path of SHOP_PAGES) {
      shop.push({ path, identity: await bytesOf(base + path, null), br: await bytesOf(base + path, 'br'), gzip: await bytesOf(base + path, 'gzip') })
    }
    const shopTotal = shop.reduce((a, p) => ({ path: 'total', identity: a.identity + p.identity, br: a.br + p.br, gzip: a.gzip + p.gzip }),
      { path: 'total', identity: 0, br: 0, gzip: 0 })
    return {
      table: table(results),
      rpsOff: medianRps(results, off),
      rpsOn: medianRps(results, on),
      perRound,
      ratio: median(perRound),
      pageBytes,
      shop,
      shopTotal,
      settings: `wrk -t1 -c${connections} -d${seconds}s, ${rounds} interleaved rounds, Accept-Encoding: ${BROWSER_ACCEPT}; ` +
        `sidecars with every plugin off, defaults otherwise (br quality ${quality}, gzip 6)`
    }
  } finally {
    await Promise.all(procs.map(p => p.stop()))
  }
}

if (process.argv[1] === SELF) {
  const { values } = parseArgs({ options: { role: { type: 'string' }, port: { type: 'string' }, upstream: { type: 'string' }, quality: { type: 'string' } } })
  role(values.role ?? '', Number(values.port), values.upstream ?? '', Number(values.quality ?? DEFAULT_QUALITY)).catch(err => { console.error(err); process.exit(1) })
}
