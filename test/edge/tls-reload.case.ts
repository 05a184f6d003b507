// SIGHUP's reload (reloadCertificates) swaps the certificate for new connections while an open keep-alive one stays.
import fs from 'node:fs'
import https from 'node:https'
import type tls from 'node:tls'
import t from '../helpers/cases.js'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'
import { reloadCertificates } from '../../src/core/tls/secure-server.js'
import { makeCert, opensslMissing, tmpDir } from './certs.js'

const skip = opensslMissing()
const dir = skip === false ? tmpDir() : ''
t.teardown(() => { if (dir !== '') fs.rmSync(dir, { recursive: true, force: true }) })

function get (url: string, agent: https.Agent): Promise<{ socket: tls.TLSSocket, serial: string }> {
  return new Promise((resolve, reject) => {
    https.get(url, { agent, rejectUnauthorized: false, servername: 'localhost' }, res => {
      const socket = res.socket as tls.TLSSocket
      const serial = socket.getPeerCertificate().serialNumber
      res.resume()
      res.on('end', () => resolve({ socket, serial }))
    }).on('error', reject)
  })
}

t.test('reload: new connections get the new certificate, an open one keeps working', { skip }, async t => {
  const first = makeCert(dir, 'first', ['localhost'])
  const live = { cert: `${dir}/live.crt`, key: `${dir}/live.key` }
  fs.copyFileSync(first.cert, live.cert)
  fs.copyFileSync(first.key, live.key)
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const sc = await startSidecar({ server: { tls: live }, upstream: { url: origin.url } })
  t.after(() => sc.close())
  const url = `https://127.0.0.1:${sc.port}/`
  const kept = new https.Agent({ keepAlive: true, maxSockets: 1 })
  t.after(() => kept.destroy())

  const a = await get(url, kept)
  // certbot renews: new files in place, then SIGHUP.
  const second = makeCert(dir, 'second', ['localhost'])
  fs.copyFileSync(second.cert, live.cert)
  fs.copyFileSync(second.key, live.key)
  const m = reloadCertificates(sc.app.server as unknown as tls.Server)
  t.ok(m !== null, 'TLS server reloaded')

  const b = await get(url, kept)
  t.equal(b.socket, a.socket, 'the keep-alive connection stayed open')
  t.equal(b.serial, a.serial, 'and keeps the certificate it negotiated')

  // No TLS session reuse: each connection is a full handshake that shows the certificate in use.
  const fresh = new https.Agent({ keepAlive: false, maxCachedSessions: 0 })
  t.after(() => fresh.destroy())
  const c = await get(url, fresh)
  t.not(c.serial, a.serial, 'a new connection gets the new certificate')

  // A broken renewal keeps the certificate in use.
  fs.writeFileSync(live.key, 'garbage')
  t.throws(() => reloadCertificates(sc.app.server as unknown as tls.Server), { code: 'SIPUP_ERR_TLS_CONFIG' })
  const d = await get(url, fresh)
  t.equal(d.serial, c.serial, 'a failed reload leaves the last good certificate')
})

t.test('expiry: the metric and doctor\'s line, with a warning 14 days ahead', { skip }, async t => {
  const { checkTls } = await import('../../src/cli/commands/doctor.js')
  const { loadConfig } = await import('../../src/sidecar-config.js')
  const soon = makeCert(dir, 'soon', ['soon.test'], 10)
  const later = makeCert(dir, 'later', ['later.test'], 90)
  const origin = await startOrigin((_req, res) => { res.end('ok') })
  t.after(() => origin.close())
  const tlsCfg = { certificates: [{ cert: later.cert, key: later.key }, { cert: soon.cert, key: soon.key }] }
  const sc = await startSidecar({ server: { tls: tlsCfg }, upstream: { url: origin.url } })
  t.after(() => sc.close())
  const text = (await sc.app.sidecar.metricsText()).body
  const m = new RegExp(`sipup_tls_certificate_expiry_seconds\\{file="${soon.cert}",name="soon.test"\\} (\\d+)`).exec(text)
  t.ok(m !== null, 'the gauge has a series per certificate')
  t.ok(m !== null && Math.abs(Number(m[1]) - 10 * 86_400) < 3600, 'seconds left')

  const { config } = loadConfig({ env: {}, overrides: { server: { tls: tlsCfg } } })
  const lines = checkTls(config)
  t.same(lines.map(l => l.status), ['ok', 'warn'], 'doctor warns for the one expiring within 14 days')
  t.match(lines[1].detail, /soon\.crt \(soon\.test\) expires in (9|10) days/)
})
