// Pass-through compression costs and gains (issue 17): requests/s and sidecar CPU per response of a 20 KB HTML page
// through sidecars side by side, proxy.compression off and on (rounds interleaved, median of per-round ratios), and
// the bytes the demo shop's pages take identity vs br vs gzip through the sidecar. The page is served two ways: the
// same bytes every time (an anonymous no-store page: the memo of compressed bodies answers it) and with a counter in
// the middle (a body never seen before: compressed every time), plus the repeated page with the memo off. With
// `baseline`, one more sidecar runs from another build (e.g. main's) with compression on, for before/after in the
// same run. nginx (1 worker) runs in front of the unique-body origin without and with `gzip on`, beside a sidecar
// offering gzip only, for sidecar-compressing against nginx-compressing in the same run. Every party runs in its own
// process; this module is also the script those processes run (`--role`).
import http from 'node:http'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { Value } from '@sinclair/typebox/value'
import { DEFAULT_GZIP_LEVEL, ProxyCompressionSchema } from '../../src/proxy/compression/schema.js'
import { startNginx } from './nginx.js'
import { cpuMs } from './cpu.js'
import { freePort } from './free-port.js'
import { startProcess, waitFor, type Started } from './processes.js'
import { announceReady, startSidecarRole } from './roles.js'
import { median, wrk, type WrkResult } from './wrk.js'
import { benchArgs, ROLE_OPTIONS } from './args.js'

const SELF = fileURLToPath(import.meta.url)
/** What a current browser sends. */
const BROWSER_ACCEPT = 'gzip, deflate, br, zstd'
const PAGE_BYTES = 20 * 1024
export const DEFAULT_QUALITY = Value.Default(ProxyCompressionSchema.properties.brotliQuality, undefined) as number

export const COMPRESSION_DEFAULTS = { rounds: 7, seconds: 5, connections: 32 } as const
/** nginx's gzip_types for the sidecar's default types (text/html is always on; nginx has no `text/*`). */
const NGINX_GZIP_TYPES = ['text/plain', 'text/css', 'text/javascript', 'application/json', 'application/javascript',
  'application/xml', 'image/svg+xml']

export interface CompressionBenchOptions {
  rounds?: number
  seconds?: number
  connections?: number
  /** proxy.compression.brotliQuality of the compressing sidecar. */
  brotliQuality?: number
  /** The root of another built checkout (its dist/bench/lib/compression-bench.js runs one more sidecar, on). */
  baseline?: string
}

export interface PartyResult {
  name: string
  runs: WrkResult[]
  /** Sidecar CPU (user + system) per response, µs, per round. */
  cpuUs: number[]
}

export interface PageBytes { path: string, identity: number, br: number, gzip: number }

export interface Comparison {
  what: string
  perRound: number[]
  /** Median of perRound. */
  ratio: number
  /** Sidecar CPU µs per response, compressed minus uncompressed (medians). */
  costUs: number
}

export interface CompressionBenchResult {
  parties: PartyResult[]
  /** The headline first: repeated page, defaults (memo on) against compression off (target >= 0.85). */
  comparisons: Comparison[]
  pageBytes: number
  shop: PageBytes[]
  shopTotal: PageBytes
  settings: string
}

/** The demo shop's pages the bytes-saved figure is taken on (GET, anonymous). */
const SHOP_PAGES = ['/index.php', '/catalog.php', '/catalog.php?category=tools', '/product.php?id=42',
  '/search.php?q=steel', '/login.php', '/api/products.php', '/api/products.php?id=7']

/** A 20 KB catalog page made with the demo shop's own templates, and where in it a counter makes each copy new
 * (same length). Shared with bench/compression-levels. */
export async function benchPage (): Promise<{ page: Buffer, mid: number }> {
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
  const page = Buffer.from(body)
  return { page, mid: page.indexOf('</h1>') > 0 ? page.indexOf('</h1>') : page.length >> 1 }
}

/** The bench page served with no delay; `unique`: each answer carries a counter in the middle (same length), so no
 * two bodies are alike. */
async function pageRole (port: number, unique: boolean): Promise<void> {
  const { page: buf, mid } = await benchPage()
  let seq = 0
  const server = http.createServer((req, res) => {
    req.resume()
    let out = buf
    if (unique) {
      out = Buffer.from(buf)
      out.write(String(seq++).padStart(12, '0'), mid - 12, 'latin1')
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=UTF-8', 'content-length': String(out.length), 'cache-control': 'no-store' })
    res.end(out)
  })
  server.keepAliveTimeout = 120_000
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
}

async function shopRole (port: number): Promise<void> {
  const { startLegacyApp } = await import('../../examples/legacy-app/shop.js')
  await startLegacyApp({ port, host: '127.0.0.1', minDelayMs: 0, maxDelayMs: 1, searchMinDelayMs: 0, searchMaxDelayMs: 1 })
}

async function role (name: string, port: number, upstream: string, quality: number): Promise<void> {
  if (name === 'page') await pageRole(port, false)
  else if (name === 'page-unique') await pageRole(port, true)
  else if (name === 'shop') await shopRole(port)
  else if (name === 'sidecar-off') await startSidecarRole(port, upstream, { proxy: { compression: { enabled: false } } })
  else if (name === 'sidecar-on') await startSidecarRole(port, upstream, { proxy: { compression: { brotliQuality: quality } } })
  else if (name === 'sidecar-on-nomemo') {
    await startSidecarRole(port, upstream, { proxy: { compression: { brotliQuality: quality, memo: { enabled: false } } } })
  } else if (name === 'sidecar-on-gzip') {
    // gzip only, as nginx's `gzip on` (no brotli without ngx_brotli): the like-for-like pair with nginx.
    await startSidecarRole(port, upstream, { proxy: { compression: { encodings: ['gzip'] } } })
  } else throw new Error(`unknown role '${name}'`)
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

interface Party { name: string, url: string, pid: number | undefined, runs: WrkResult[], cpuUs: number[] }

const OFF = 'off'
const ON = 'on (br, memo on)'
const ON_NOMEMO = 'on, memo off'
const OFF_UNIQUE = 'off, unique bodies'
const ON_UNIQUE = 'on, unique bodies'
const ON_BASELINE = 'on, baseline build'
const GZIP_UNIQUE = 'on gzip, unique bodies'
const NGINX_OFF = 'nginx, unique bodies'
const NGINX_GZIP = 'nginx gzip, unique bodies'

/** The pid of nginx's one worker (a child of the master), for its CPU figure; undefined when not found. */
function nginxWorker (master: number | undefined): number | undefined {
  try {
    const kids = readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim().split(/\s+/).map(Number)
    return kids.length === 1 && kids[0] > 0 ? kids[0] : undefined
  } catch {
    return undefined
  }
}

export async function runCompressionBench (opts: CompressionBenchOptions = {}): Promise<CompressionBenchResult> {
  const rounds = opts.rounds ?? COMPRESSION_DEFAULTS.rounds
  const seconds = opts.seconds ?? COMPRESSION_DEFAULTS.seconds
  const connections = opts.connections ?? COMPRESSION_DEFAULTS.connections
  const quality = String(opts.brotliQuality ?? DEFAULT_QUALITY)
  const [pPage, pUnique, pShop, pShopSidecar] = await Promise.all([freePort(), freePort(), freePort(), freePort()])
  const pageOrigin = `http://127.0.0.1:${pPage}`
  const uniqueOrigin = `http://127.0.0.1:${pUnique}`
  const shopOrigin = `http://127.0.0.1:${pShop}`
  const dir = mkdtempSync(join(tmpdir(), 'sipup-bench-compress-'))
  const script = join(dir, 'accept.lua')
  writeFileSync(script, `wrk.headers["Accept-Encoding"] = "${BROWSER_ACCEPT}"\n`)
  const procs: Started[] = []
  const parties: Party[] = []
  const sidecar = async (name: string, roleName: string, upstream: string, self = SELF): Promise<void> => {
    const port = await freePort()
    const p = await startProcess(self, ['--role', roleName, '--port', String(port), '--upstream', upstream, '--quality', quality], new RegExp(`ready ${roleName}`))
    procs.push(p)
    parties.push({ name, url: `http://127.0.0.1:${port}/catalog.php`, pid: p.child.pid, runs: [], cpuUs: [] })
  }
  try {
    procs.push(await startProcess(SELF, ['--role', 'page', '--port', String(pPage)], /ready page/))
    procs.push(await startProcess(SELF, ['--role', 'page-unique', '--port', String(pUnique)], /ready page-unique/))
    procs.push(await startProcess(SELF, ['--role', 'shop', '--port', String(pShop)], /ready shop/))
    await sidecar(OFF, 'sidecar-off', pageOrigin)
    await sidecar(ON, 'sidecar-on', pageOrigin)
    await sidecar(ON_NOMEMO, 'sidecar-on-nomemo', pageOrigin)
    await sidecar(OFF_UNIQUE, 'sidecar-off', uniqueOrigin)
    await sidecar(ON_UNIQUE, 'sidecar-on', uniqueOrigin)
    await sidecar(GZIP_UNIQUE, 'sidecar-on-gzip', uniqueOrigin)
    // nginx in front of the same origin, without and with `gzip on` at the sidecar's default gzip level.
    const nginxParty = async (name: string, gzip: boolean): Promise<void> => {
      const port = await freePort()
      const g = startNginx({
        dir,
        port,
        upstreamPort: pUnique,
        gzip: gzip ? { level: DEFAULT_GZIP_LEVEL, minLength: 1024, types: NGINX_GZIP_TYPES } : undefined
      })
      if (g === null) return
      procs.push(g)
      // nginx forks its worker after the master starts: wait until it answers.
      const url = `http://127.0.0.1:${port}/catalog.php`
      await waitFor(url)
      parties.push({ name, url, pid: nginxWorker(g.child.pid), runs: [], cpuUs: [] })
    }
    await nginxParty(NGINX_OFF, false)
    await nginxParty(NGINX_GZIP, true)
    if (opts.baseline !== undefined) await sidecar(ON_BASELINE, 'sidecar-on', pageOrigin, join(opts.baseline, 'dist/bench/lib/compression-bench.js'))
    procs.push(await startProcess(SELF, ['--role', 'sidecar-on', '--port', String(pShopSidecar), '--upstream', shopOrigin, '--quality', quality], /ready sidecar-on/))
    for (const p of parties) await waitFor(p.url)
    const pageBytes = await bytesOf(parties[0].url, null)
    process.stderr.write('warm-up (2 s each)\n')
    for (const p of parties) await wrk(p.url, { connections, seconds: 2, script })
    // Interleaved A B C ... A B C: the noise of a shared machine lands on every party alike.
    for (let r = 0; r < rounds; r++) {
      for (const p of parties) {
        const c0 = cpuMs(p.pid)
        const res = await wrk(p.url, { connections, seconds, script })
        p.runs.push(res)
        p.cpuUs.push((cpuMs(p.pid) - c0) * 1000 / (res.rps * seconds))
        process.stderr.write(`  round ${r + 1}/${rounds} ${p.name.padEnd(20)} ${res.rps.toFixed(0).padStart(7)} req/s  ` +
          `${p.cpuUs[r].toFixed(1).padStart(6)} µs CPU/response${res.errors > 0 ? `  errors ${res.errors}` : ''}\n`)
      }
    }
    const byName = (name: string): Party | undefined => parties.find(p => p.name === name)
    const compare = (what: string, on: string, off: string): Comparison | null => {
      const a = byName(on)
      const b = byName(off)
      if (a === undefined || b === undefined) return null
      const perRound = a.runs.map((x, i) => x.rps / b.runs[i].rps)
      return { what, perRound, ratio: median(perRound), costUs: median(a.cpuUs) - median(b.cpuUs) }
    }
    const comparisons = [
      compare('repeated page, defaults (memo on) / off', ON, OFF),
      compare('repeated page, memo off / off', ON_NOMEMO, OFF),
      compare('unique bodies, on / off', ON_UNIQUE, OFF_UNIQUE),
      compare('repeated page, baseline build on / off', ON_BASELINE, OFF),
      compare('unique bodies, sidecar gzip / off', GZIP_UNIQUE, OFF_UNIQUE),
      compare('unique bodies, nginx gzip on / off', NGINX_GZIP, NGINX_OFF),
      compare('unique bodies, sidecar gzip / nginx gzip', GZIP_UNIQUE, NGINX_GZIP),
      compare('unique bodies, sidecar br (defaults) / nginx gzip', ON_UNIQUE, NGINX_GZIP)
    ].filter((c): c is Comparison => c !== null)

    const shop: PageBytes[] = []
    const base = `http://127.0.0.1:${pShopSidecar}`
    await waitFor(`${base}/index.php`)
    for (const path of SHOP_PAGES) {
      shop.push({ path, identity: await bytesOf(base + path, null), br: await bytesOf(base + path, 'br'), gzip: await bytesOf(base + path, 'gzip') })
    }
    const shopTotal = shop.reduce((a, p) => ({ path: 'total', identity: a.identity + p.identity, br: a.br + p.br, gzip: a.gzip + p.gzip }),
      { path: 'total', identity: 0, br: 0, gzip: 0 })
    return {
      parties: parties.map(p => ({ name: p.name, runs: p.runs, cpuUs: p.cpuUs })),
      comparisons,
      pageBytes,
      shop,
      shopTotal,
      settings: `wrk -t1 -c${connections} -d${seconds}s, ${rounds} interleaved rounds, Accept-Encoding: ${BROWSER_ACCEPT}; ` +
        `sidecars with every plugin off, defaults otherwise (br quality ${quality}, gzip ${DEFAULT_GZIP_LEVEL}); ` +
        `nginx: 1 worker, gzip_comp_level ${DEFAULT_GZIP_LEVEL}` +
        (opts.baseline === undefined ? '' : `; baseline build: ${opts.baseline}`)
    }
  } finally {
    await Promise.all(procs.map(p => p.stop()))
  }
}

if (process.argv[1] === SELF) {
  const values = benchArgs({
    name: 'bench/lib/compression-bench',
    summary: 'A party of bench/compression (run by it with --role); run bench/compression itself for the measurement.',
    options: {
      ...ROLE_OPTIONS,
      upstream: { type: 'string', placeholder: '<url>', internal: true, description: 'the origin to proxy to' },
      quality: { type: 'int', min: 0, max: 11, default: DEFAULT_QUALITY, internal: true, description: 'proxy.compression.brotliQuality' }
    }
  })
  role(values.role ?? '', values.port, values.upstream ?? '', values.quality).catch(err => { console.error(err); process.exit(1) })
}
