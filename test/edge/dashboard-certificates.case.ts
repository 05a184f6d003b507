// Certificate expiry on the dashboard: one health line per served certificate with the days left, amber within
// server.tls.expiryWarning, red once expired (the colour rules as a pure function), and the overview API of a
// running TLS sidecar carrying them.
import fs from 'node:fs'
import https from 'node:https'
import t from '../helpers/cases.js'
import { certificateLights, certificateViews } from '../../src/admin/dashboard/certificate-view.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { makeCert, opensslMissing, tmpDir } from './certs.js'

const DAY = 86_400

t.test('days left and the warning state', async t => {
  const now = Date.parse('2026-12-02T12:00:00Z')
  const views = certificateViews([
    { file: '/etc/ok.pem', names: ['shop.example'], secondsLeft: 60 * DAY + 100, soon: false },
    { file: '/etc/soon.pem', names: ['soon.example', 'www.soon.example'], secondsLeft: 3 * DAY + 5, soon: true },
    { file: '/etc/one.pem', names: [], secondsLeft: DAY + 1, soon: true },
    { file: '/etc/gone.pem', names: ['gone.example'], secondsLeft: -2 * DAY, soon: true }
  ], now)
  t.same(views.map(v => [v.daysLeft, v.state, v.expires]), [
    [60, 'ok', '2027-01-31'],
    [3, 'warning', '2026-12-05'],
    [1, 'warning', '2026-12-03'],
    [-2, 'expired', '2026-11-30']
  ])
  const lights = certificateLights(views)
  t.same(lights.map(l => l.light), ['green', 'amber', 'amber', 'red'])
  t.same(lights.map(l => l.name), ['tls:/etc/ok.pem', 'tls:/etc/soon.pem', 'tls:/etc/one.pem', 'tls:/etc/gone.pem'])
  t.match(lights[0].reason, /shop\.example: 60 days left \(expires 2027-01-31\)/)
  t.match(lights[1].reason, /soon\.example, www\.soon\.example: 3 days left .*expiryWarning.*renew/)
  t.match(lights[2].reason, /1 day left/, 'singular')
  t.match(lights[3].reason, /expired on 2026-11-30 \(\/etc\/gone\.pem\); renew it/)
})

const skip = opensslMissing()
const dir = skip === false ? tmpDir() : ''
t.teardown(() => { if (dir !== '') fs.rmSync(dir, { recursive: true, force: true }) })

function getJson (url: string): Promise<{ status: number, body: unknown }> {
  return new Promise((resolve, reject) => {
    https.get(url, { rejectUnauthorized: false, agent: false }, res => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { text += c })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }))
    }).on('error', reject)
  })
}

interface OverviewLike {
  certificates: { file: string, names: string[], daysLeft: number, state: string }[] | null
  health: { name: string, light: string, reason: string }[]
}

t.test('the overview of a TLS sidecar lists each certificate, amber within expiryWarning', { skip }, async t => {
  const main = makeCert(dir, 'main', ['localhost'], 60)
  const soon = makeCert(dir, 'soon', ['soon.localhost'], 5)
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({
    server: {
      tls: { certificates: [{ ...main, serverNames: ['localhost'] }, { ...soon, serverNames: ['soon.localhost'] }], expiryWarning: '14d' },
      http2: true
    },
    upstream: { url: origin.url }
  })
  t.after(() => sc.close())
  const { status, body } = await getJson(`https://localhost:${sc.port}/_admin/api/overview`)
  t.equal(status, 200)
  const o = body as OverviewLike
  t.same(o.certificates?.map(c => [c.file, c.state]), [[main.cert, 'ok'], [soon.cert, 'warning']])
  t.ok(o.certificates?.[0].daysLeft === 59 || o.certificates?.[0].daysLeft === 60, `60-day certificate: ${String(o.certificates?.[0].daysLeft)} days left`)
  t.ok(o.certificates?.[1].daysLeft === 4 || o.certificates?.[1].daysLeft === 5, `5-day certificate: ${String(o.certificates?.[1].daysLeft)} days left`)
  const lights = Object.fromEntries(o.health.map(h => [h.name, h]))
  t.equal(lights[`tls:${main.cert}`]?.light, 'green')
  t.equal(lights[`tls:${soon.cert}`]?.light, 'amber', 'the certificate within expiryWarning is a warning on the dashboard')
  t.match(lights[`tls:${soon.cert}`]?.reason, /soon\.localhost: [45] days left/)
})

t.test('no certificate lines without TLS', async t => {
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({ upstream: { url: origin.url } })
  t.after(() => sc.close())
  const o = await (await fetch(`${sc.url}/_admin/api/overview`)).json() as OverviewLike
  t.equal(o.certificates, null)
  t.notOk(o.health.some(h => h.name.startsWith('tls:')))
})
