// server.redirectHttp: 308 to https://, ACME challenges from a directory (no traversal) or forwarded to the origin.
import fs from 'node:fs'
import path from 'node:path'
import t from '../helpers/cases.js'
import { request } from 'undici'
import { startRedirectServer } from '../../src/core/redirect-server.js'
import { loadConfig } from '../../src/sidecar-config.js'
import { startOrigin } from '../helpers/sidecar.js'
import { tmpDir } from './certs.js'

async function get (url: string, host: string): Promise<{ status: number, location: string | undefined, body: string }> {
  const r = await request(url, { headers: { host } })
  const location = r.headers.location
  return { status: r.statusCode, location: typeof location === 'string' ? location : undefined, body: await r.body.text() }
}

t.test('plain HTTP gets 308 to https, ACME challenges are served', async t => {
  const dir = tmpDir('sipup-acme-')
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  fs.mkdirSync(path.join(dir, '.well-known', 'acme-challenge'), { recursive: true })
  fs.writeFileSync(path.join(dir, '.well-known', 'acme-challenge', 'tok_EN-1'), 'tok_EN-1.thumb')
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret')
  const origin = await startOrigin((req, res) => { res.end(`origin ${req.url ?? ''}`) })
  t.after(() => origin.close())

  const server = loadConfig({ env: {}, overrides: { server: { host: '127.0.0.1', redirectHttp: { enabled: true, port: 0, acmeDir: dir } } } }).config.server
  const fromDir = await startRedirectServer(server, origin.url, 8443)
  t.after(() => fromDir.close())
  const base = `http://127.0.0.1:${fromDir.port}`
  t.same(await get(`${base}/cart.php?x=1`, 'shop.test'), { status: 308, location: 'https://shop.test:8443/cart.php?x=1', body: '' })
  t.same(await get(`${base}/`, 'shop.test:80'), { status: 308, location: 'https://shop.test:8443/', body: '' }, 'the http port is dropped')
  t.equal((await get(`${base}/`, 'evil/"x')).status, 400, 'a malformed Host is no redirect target')
  const ok = await get(`${base}/.well-known/acme-challenge/tok_EN-1`, 'shop.test')
  t.same([ok.status, ok.body], [200, 'tok_EN-1.thumb'], 'a token from the directory')
  for (const p of ['..%2f..%2fsecret.txt', '../../secret.txt', '%2e%2e/secret.txt', 'missing']) {
    // undici resolves a literal ../ before sending (a redirect then); encoded ones reach the server: 404.
    const r = await get(`${base}/.well-known/acme-challenge/${p}`, 'shop.test')
    t.ok(r.status === 404 || r.status === 308, `${p}: ${r.status}`)
    t.not(r.body, 'secret', `${p}: not served`)
  }

  const forwarding = await startRedirectServer({ ...server, redirectHttp: { ...server.redirectHttp, acmeDir: '' } }, origin.url, 443)
  t.after(() => forwarding.close())
  const fwd = await get(`http://127.0.0.1:${forwarding.port}/.well-known/acme-challenge/abc`, 'shop.test')
  t.same([fwd.status, fwd.body], [200, 'origin /.well-known/acme-challenge/abc'], 'forwarded to the origin without acmeDir')
  t.equal((await get(`http://127.0.0.1:${forwarding.port}/x`, 'shop.test')).location, 'https://shop.test/x', 'port 443 is implied')
})

t.test('closing answers the request in flight (Connection: close) instead of resetting it', async t => {
  const net = await import('node:net')
  const server = loadConfig({ env: {}, overrides: { server: { host: '127.0.0.1', redirectHttp: { enabled: true, port: 0 } } } }).config.server
  const redirect = await startRedirectServer(server, 'http://127.0.0.1:1', 8443)
  const socket = net.connect(redirect.port, '127.0.0.1')
  t.after(() => socket.destroy())
  await new Promise<void>(resolve => socket.once('connect', resolve))
  let answer = ''
  socket.on('data', (c: Buffer) => { answer += c.toString('latin1') })
  const ended = new Promise<void>(resolve => socket.once('close', () => { resolve() }))
  // Half a request: the server has begun parsing it, so the connection is not idle.
  socket.write('GET /cart.php HTTP/1.1\r\nHost: shop.test\r\n')
  await new Promise<void>(resolve => setTimeout(resolve, 100))
  const closed = redirect.close(30_000)
  socket.write('\r\n')
  await ended
  await closed
  t.match(answer, /^HTTP\/1\.1 308 /, 'the request in flight got its redirect')
  t.match(answer, /\r\nlocation: https:\/\/shop\.test:8443\/cart\.php\r\n/i)
  t.match(answer, /\r\nconnection: close\r\n/i, 'and its connection ended with it')
})
