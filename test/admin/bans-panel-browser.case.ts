// The dashboard's bans panel in a real browser (Debian's Chromium through playwright-core): a banned client is
// listed, its Unban button (behind a confirmation, with the CSRF header) lifts the ban, and the client gets
// through again. No CSP violation or script error may show in the console.
import t from '../helpers/cases.js'
import { chromium } from 'playwright-core'
import { hashPassword } from '../../src/admin/password.js'
import { requireProgram } from '../helpers/services.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

const CHROMIUM = '/usr/bin/chromium'

t.test('bans panel: list and Unban from the UI', async t => {
  if (!await requireProgram(t, CHROMIUM, 'Chromium')) return
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({
    upstream: { url: origin.url },
    admin: { users: [{ name: 'ops', passwordHash: await hashPassword('bans-pw') }] },
    rateLimit: { enabled: true, store: 'memory', user: { enabled: false }, rules: [], ip: { limit: 1, window: '1m' }, bans: { enabled: true, strikes: 1, exempt: ['192.0.2.200'] } }
  })
  t.after(() => sc.close())
  const send = async (ip: string): Promise<number> => {
    const r = await fetch(`${sc.url}/p`, { headers: { 'x-forwarded-for': ip } })
    await r.text()
    return r.status
  }
  await send('192.0.2.120')
  await send('192.0.2.120')
  t.equal(await send('192.0.2.120'), 403, 'banned')

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] })
  t.after(() => browser.close())
  const context = await browser.newContext({ httpCredentials: { username: 'ops', password: 'bans-pw' } })
  const page = await context.newPage()
  const problems: string[] = []
  page.on('console', msg => { if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`) })
  page.on('pageerror', err => { problems.push(`pageerror: ${err.message}`) })
  page.on('dialog', d => { void d.accept() })

  await page.goto(`${sc.url}/_admin`)
  await page.waitForSelector('#bans tr[data-client="192.0.2.120"]')
  t.ok(await page.isHidden('#bans-off'), 'the panel is on')
  t.match(await page.textContent('#bans'), /1 ban\(s\) in force, this instance only \(memory\)\. Never banned: 192\.0\.2\.200\./)
  await page.click('#bans tr[data-client="192.0.2.120"] button.unban')
  await page.waitForSelector('#bans tr[data-client="192.0.2.120"]', { state: 'detached' })
  t.match(await page.textContent('#bans'), /Nobody is banned\./)
  t.equal(await send('192.0.2.120'), 429, 'no longer banned (still limited)')
  t.same(problems, [], 'no console errors or CSP violations')
})
