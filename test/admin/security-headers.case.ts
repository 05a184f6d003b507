// Admin answers carry a strict CSP and the other security headers, including errors and the live stream.
import t from '../helpers/cases.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

t.test('CSP and friends on the page, the API, errors and the SSE stream; never on proxied pages', async t => {
  const origin = await startOrigin((_req, res) => { res.end('site') })
  t.after(() => origin.close())
  const sc = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => sc.close())
  const check = (res: Response, what: string): void => {
    const csp = res.headers.get('content-security-policy') ?? ''
    t.match(csp, /default-src 'none'/, `${what}: CSP`)
    t.match(csp, /script-src 'self'(;|$)/, `${what}: no inline script`)
    t.notMatch(csp, /unsafe-inline|unsafe-eval|https?:/, `${what}: nothing external or inline`)
    t.match(csp, /frame-ancestors 'none'/)
    t.equal(res.headers.get('x-content-type-options'), 'nosniff')
    t.equal(res.headers.get('x-frame-options'), 'DENY')
    t.equal(res.headers.get('referrer-policy'), 'no-referrer')
  }
  const page = await fetch(`${sc.url}/_admin`)
  await page.text()
  check(page, 'page')
  t.equal(page.headers.get('cache-control'), 'no-store')
  const api = await fetch(`${sc.url}/_admin/api/overview`)
  await api.text()
  check(api, 'api')
  const denied = await fetch(`${sc.url}/_admin/api/config`, { headers: { 'x-forwarded-for': '203.0.113.1' } })
  await denied.text()
  t.equal(denied.status, 403)
  check(denied, 'error')
  const ac = new AbortController()
  const live = await fetch(`${sc.url}/_admin/api/live`, { signal: ac.signal })
  t.equal(live.headers.get('content-type'), 'text/event-stream; charset=utf-8')
  check(live, 'live stream')
  ac.abort()
  const site = await fetch(`${sc.url}/`)
  t.equal(await site.text(), 'site')
  t.equal(site.headers.get('content-security-policy'), null, 'the proxied site is left alone')
})
