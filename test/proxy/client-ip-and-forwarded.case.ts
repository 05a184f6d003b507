import type { Test } from 'tap'
import t from '../helpers/cases.js'
import { request } from 'undici'
import { startOrigin, startSidecar } from '../helpers/sidecar.js'

async function echoOrigin (t: Test) {
  const origin = await startOrigin((req, res) => { res.end(JSON.stringify(req.headers)) })
  t.after(() => origin.close())
  return origin
}

t.test('a trusted proxy (loopback by default) extends X-Forwarded-For and decides the client IP', async t => {
  const origin = await echoOrigin(t)
  const logLines: Record<string, unknown>[] = []
  const sidecar = await startSidecar({ upstream: { url: origin.url }, log: { level: 'info', requests: true } }, { logLines })
  t.after(() => sidecar.close())
  const res = await request(`${sidecar.url}/p`, { headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'shop.example' } })
  const seen = await res.body.json() as Record<string, string>
  t.equal(seen['x-forwarded-for'], '203.0.113.7, 127.0.0.1')
  t.equal(seen['x-forwarded-proto'], 'https', 'proto from the trusted proxy kept')
  t.equal(seen['x-forwarded-host'], `127.0.0.1:${sidecar.port}`, 'X-Forwarded-Host is the Host unless proxy.forwardHost')
  const line = logLines.find(l => l.msg === 'request')
  t.equal(line?.ip, '203.0.113.7', 'client IP taken from the trusted X-Forwarded-For')
})

t.test('a spoofed X-Forwarded-For from an untrusted peer changes neither the client IP nor what the origin sees', async t => {
  const origin = await echoOrigin(t)
  const logLines: Record<string, unknown>[] = []
  // Only 10.0.0.0/8 is trusted, so this test's loopback client is an untrusted peer.
  const sidecar = await startSidecar({ server: { trustProxy: ['10.0.0.0/8'] }, upstream: { url: origin.url }, log: { level: 'info', requests: true } }, { logLines })
  t.after(() => sidecar.close())
  const res = await request(`${sidecar.url}/p`, { headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example', host: 'shop.example' } })
  const seen = await res.body.json() as Record<string, string>
  t.equal(seen['x-forwarded-for'], '127.0.0.1', 'spoofed addresses replaced, not extended')
  t.equal(seen['x-forwarded-proto'], 'http')
  t.equal(seen['x-forwarded-host'], 'shop.example', 'X-Forwarded-Host rebuilt from Host')
  const line = logLines.find(l => l.msg === 'request')
  t.equal(line?.ip, '127.0.0.1', 'client IP is the peer')
})

t.test('proxy.xForwarded false forwards no X-Forwarded-* of ours', async t => {
  const origin = await echoOrigin(t)
  const sidecar = await startSidecar({ upstream: { url: origin.url }, proxy: { xForwarded: false } })
  t.after(() => sidecar.close())
  const seen = await (await request(`${sidecar.url}/p`)).body.json() as Record<string, string>
  t.notOk('x-forwarded-for' in seen)
})

t.test('proxy.forwardHost passes a trusted proxy\'s X-Forwarded-Host on', async t => {
  const origin = await echoOrigin(t)
  const sidecar = await startSidecar({ upstream: { url: origin.url }, proxy: { forwardHost: true } })
  t.after(() => sidecar.close())
  const seen = await (await request(`${sidecar.url}/p`, { headers: { 'x-forwarded-host': 'shop.example' } })).body.json() as Record<string, string>
  t.equal(seen['x-forwarded-host'], 'shop.example')
})
