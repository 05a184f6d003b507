// A real browser (Debian's Chromium through playwright-core) opens the dashboard with Basic credentials, sees the
// charts render and move with traffic, purges a cached URL from the UI and sees the next request MISS. No CSP
// violation or script error may show in the console. The screenshot is saved under .tap/ (gitignored).
import t from 'tap'
import { mkdirSync } from 'node:fs'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Page } from 'playwright-core'
import { hashPassword } from '../../src/admin/password.js'
import { packageRoot } from '../../src/paths.js'
import { requireProgram } from '../helpers/services.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

const CHROMIUM = '/usr/bin/chromium'
const SCREENSHOT_DIR = join(packageRoot, '.tap', 'screenshots')
const hasCache = existsSync(join(packageRoot, 'src', 'plugins', 'cache', 'index.ts'))

async function dataNumber (page: Page, selector: string, attr: string): Promise<number> {
  return Number(await page.getAttribute(selector, attr))
}

// Runs in the page. A function, not a string: the CSP forbids eval, and Playwright evaluates string predicates with it.
interface PageDocument { querySelector(s: string): { getAttribute(n: string): string | null, textContent: string | null } | null }
function pageHas ([selector, attr, min, text]: [string, string, number, string]): boolean {
  const el = (globalThis as unknown as { document: PageDocument }).document.querySelector(selector)
  if (el === null) return false
  return attr === '' ? (el.textContent ?? '').includes(text) : Number(el.getAttribute(attr)) >= min
}

t.test('dashboard in Chromium: charts move, purge from the UI', async t => {
  if (!await requireProgram(t, CHROMIUM, 'Chromium')) return
  let originHits = 0
  const origin = await startOrigin((req, res) => {
    originHits++
    // PHP's session headers: only a rule with override makes these pages cacheable.
    res.setHeader('cache-control', 'no-store, no-cache, must-revalidate')
    res.setHeader('content-type', 'text/html')
    res.end(`<h1>${req.url ?? ''}</h1>`)
  })
  t.after(() => origin.close())
  const sc = await startSidecar({
    upstream: { url: origin.url },
    admin: { users: [{ name: 'ops', passwordHash: await hashPassword('dashboard-pw') }] },
    ...(hasCache ? { cache: { enabled: true, store: 'memory', rules: [{ name: 'products', path: '/products/*', ttl: '10m', override: true }] } } : {})
  })
  t.after(() => sc.close())

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
  })
  t.after(() => browser.close())
  const context = await browser.newContext({ httpCredentials: { username: 'ops', password: 'dashboard-pw' }, viewport: { width: 1400, height: 900 } })
  const page = await context.newPage()
  const problems: string[] = []
  page.on('console', msg => { if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`) })
  page.on('pageerror', err => { problems.push(`pageerror: ${err.message}`) })

  const res = await page.goto(`${sc.url}/_admin`)
  t.equal(res?.status(), 200, 'the page opens with Basic credentials')
  await page.waitForSelector('#charts .uplot canvas')
  t.equal(await page.locator('#charts .uplot').count(), 6, 'six charts rendered')
  await page.waitForSelector('#live.green')
  await page.waitForSelector('#health li[data-name="upstream"].green')
  t.pass('upstream shows green')

  // Traffic: the first requests fill the cache, the rest are hits.
  const pointsBefore = await dataNumber(page, '#chart-rps', 'data-points')
  for (let i = 0; i < 40; i++) await (await fetch(`${sc.url}/products/${i % 4}`)).text()
  await page.waitForFunction(pageHas, ['#chart-rps', 'data-sum', 40, ''] as [string, string, number, string])
  t.ok(await dataNumber(page, '#chart-rps', 'data-points') > pointsBefore, 'the requests/s chart moved')
  t.ok(await dataNumber(page, '#chart-latency', 'data-sum') > 0, 'the latency chart has values')
  await page.waitForFunction(pageHas, ['#slow-routes tbody', '', 0, 'products'] as [string, string, number, string])
  t.pass('the route table shows the products rule')

  if (!hasCache) {
    await t.todo('purge from the UI: needs the cache plugin', async () => {})
  } else {
    await page.waitForFunction(pageHas, ['#chart-hit', 'data-sum', 0.01, ''] as [string, string, number, string])
    t.pass('the hit-ratio chart moved')
    const hit = await fetch(`${sc.url}/products/1`)
    await hit.text()
    t.equal(hit.headers.get('x-cache'), 'HIT', 'cached before the purge')
    await page.waitForSelector('#purge-form:not([hidden])')
    await page.selectOption('#purge-kind', 'urls')
    await page.fill('#purge-value', '/products/1')
    await page.click('#purge-button')
    await page.waitForSelector('#purge-result.ok')
    t.match(await page.textContent('#purge-result'), /purged 1 URL/, 'the UI reports the purge')
    const hitsBefore = originHits
    const after = await fetch(`${sc.url}/products/1`)
    await after.text()
    t.equal(after.headers.get('x-cache'), 'MISS', 'the next request after the purge is a MISS')
    t.equal(originHits, hitsBefore + 1, 'and it went to the origin')
  }

  await page.waitForSelector('#config:not(:empty)')
  t.notMatch(await page.textContent('#config') ?? '', /scrypt\$/, 'the config view shows no password hash')
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const shot = join(SCREENSHOT_DIR, 'dashboard.png')
  await page.screenshot({ path: shot, fullPage: true })
  t.comment(`screenshot: ${shot}`)
  t.same(problems, [], 'no console errors or CSP violations')
})
