// A real browser (Debian's Chromium through playwright-core) opens the dashboard with Basic credentials, sees the
// charts render and move with traffic, purges a cached URL from the UI and sees the next request MISS. No CSP
// violation or script error may show in the console. The screenshot is saved under .tap/ (gitignored).
import t from '../helpers/cases.js'
import { mkdirSync } from 'node:fs'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Page } from 'playwright-core'
import { hashPassword } from '../../src/admin/password.js'
import { packageRoot } from '../../src/paths.js'
import { REDIS_URL, requireProgram, requireRedis, uniquePrefix } from '../helpers/services.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import '../../src/plugins/jobs/types.js'

const CHROMIUM = '/usr/bin/chromium'
const SCREENSHOT_DIR = join(packageRoot, '.tap', 'screenshots')
const hasCache = existsSync(join(packageRoot, 'src', 'plugins', 'cache', 'index.ts'))
const hasJobs = existsSync(join(packageRoot, 'src', 'plugins', 'jobs', 'index.ts'))
// The jobs panel: inline workers run `flaky` (fails while CONTROL.state.fail) and `held` (waits on CONTROL.state.hold).
const CONTROL = join(packageRoot, 'test', 'jobs', 'fixtures', 'control.mjs')
const jobsPrefix = uniquePrefix('dashboard-browser')

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

t.test('dashboard in Chromium: charts move, purge from the UI, failed jobs retried from the UI', async t => {
  if (!await requireProgram(t, CHROMIUM, 'Chromium')) return
  const withJobs = hasJobs && await requireRedis(t)
  const control = withJobs ? await import(CONTROL) as { state: { fail: boolean, hold: Promise<void> | null } } : null
  let releaseHeld = (): void => {}
  if (control !== null) {
    control.state.fail = true
    control.state.hold = new Promise<void>(resolve => { releaseHeld = resolve })
    t.after(async () => {
      releaseHeld()
      control.state.fail = false
      control.state.hold = null
      const { deleteKeys } = await import('../jobs/helpers.js')
      await deleteKeys(jobsPrefix)
    })
  }
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
    ...(hasCache ? { cache: { enabled: true, store: 'memory', rules: [{ name: 'products', path: '/products/*', ttl: '10m', override: true }] } } : {}),
    ...(withJobs
      ? {
          redis: { enabled: true, url: REDIS_URL, keyPrefix: jobsPrefix },
          jobs: {
            enabled: true,
            inline: true,
            secret: 'dashboard-jobs-secret-0123',
            types: [
              { name: 'flaky', handler: 'module', module: CONTROL, attempts: 1 },
              { name: 'held', handler: 'module', module: CONTROL, concurrency: 10 }
            ]
          }
        }
      : {})
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
  // The fleet panel lists this node as up (with Redis, from the heartbeats; without, alone and saying why).
  await page.waitForFunction(pageHas, ['#fleet tbody', '', 0, '(this one)'] as [string, string, number, string])
  t.match(await page.textContent('#fleet tbody'), /up/, 'the fleet panel shows this node up')
  t.match(await page.textContent('#fleet-note'), withJobs ? /node\(s\) seen/ : /Only this instance: redis\.enabled is false/,
    'the fleet note says whether the view is shared')

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

  if (!withJobs) {
    await t.todo('failed-jobs panel and queue-depth chart: need the jobs plugin and Redis', async () => {})
  } else {
    const jobsApi = sc.app.sidecarJobs.producer
    const failed = await jobsApi.add('flaky', { tag: 'from-the-browser-test' })
    // Held jobs take every worker slot (jobs.concurrency 10) and the worker claims one more; the rest wait in the
    // queue, and the queue-depth chart must see them.
    for (let i = 0; i < 30; i++) await jobsApi.add('held', { tag: `held-${i}`, hold: true })
    await page.waitForFunction(pageHas, ['#chart-queue', 'data-sum', 1, ''] as [string, string, number, string])
    t.pass('the queue-depth chart shows waiting jobs')
    await page.waitForFunction(pageHas, ['#jobs', '', 0, 'failed on purpose (from-the-browser-test)'] as [string, string, number, string], { timeout: 20_000 })
    t.match(await page.textContent('#jobs'), /1 failed job\(s\)/, 'the failed-jobs panel lists the dead-lettered job')
    t.match(await page.textContent('#jobs'), /flaky/, 'with its type')
    ;(control as { state: { fail: boolean } }).state.fail = false
    releaseHeld()
    await page.click(`#jobs tr:has-text("${failed.id}") button:has-text("Retry"), #jobs tr:has-text("flaky") button:has-text("Retry")`)
    await page.waitForFunction(pageHas, ['#jobs', '', 0, '0 failed job(s)'] as [string, string, number, string])
    t.pass('Retry from the UI empties the dead letter')
    const jobs = sc.app.sidecarJobs.store
    const end = Date.now() + 10_000
    while ((await jobs.get(failed.id))?.status !== 'succeeded') {
      if (Date.now() > end) throw new Error('the retried job did not succeed')
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    t.pass('and the retried job ran and succeeded')
    releaseHeld()
  }

  await page.waitForSelector('#config:not(:empty)')
  t.notMatch(await page.textContent('#config') ?? '', /scrypt\$/, 'the config view shows no password hash')
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const shot = join(SCREENSHOT_DIR, 'dashboard.png')
  await page.screenshot({ path: shot, fullPage: true })
  t.comment(`screenshot: ${shot}`)
  t.same(problems, [], 'no console errors or CSP violations')
})
