// X-Forwarded-Host cache poisoning: a PHP page builds its links from the host it is told about, the cache keys on
// a host. Whatever peer sends X-Forwarded-Host (trusted loopback by default, as behind an nginx that doesn't
// overwrite it, or an untrusted client), the next clean request never gets a page built for another host.
import type http from 'node:http'
import t from '../helpers/cases.js'
import { setupCache, type Page } from './fixtures/setup.js'

const links: Page = (req: http.IncomingMessage, res: http.ServerResponse) => {
  res.setHeader('cache-control', 'max-age=600')
  const host = req.headers['x-forwarded-host'] ?? req.headers.host
  res.end(`<a href="http://${String(host)}/next">next</a>`)
}

const evil = { 'x-forwarded-host': 'evil.example' }

for (const [name, extra] of [
  ['default config, trusted loopback peer', {}],
  ['default config, untrusted peer', { server: { host: '127.0.0.1', port: 0, trustProxy: ['192.0.2.1'] } }],
  ['xForwarded: false, trusted loopback peer', { proxy: { xForwarded: false } }],
  ['forwardHost: true, untrusted peer', { proxy: { forwardHost: true }, server: { host: '127.0.0.1', port: 0, trustProxy: ['192.0.2.1'] } }]
] as const) {
  t.test(`${name}: X-Forwarded-Host never reaches the origin, nothing is poisoned`, async t => {
    const c = await setupCache(t, { '/links': links }, {}, extra)
    const poisoned = await c.get('/links', evil)
    t.notMatch(poisoned.body, /evil/)
    t.not(c.origin.requests[0].headers['x-forwarded-host'], 'evil.example')
    const next = await c.get('/links')
    t.notMatch(next.body, /evil/)
    t.equal(next.headers['x-cache'], 'HIT', 'the clean entry was stored and is served')
  })
}

t.test('forwardHost: true, trusted peer: the origin is told the host, and the cache keys on it', async t => {
  const c = await setupCache(t, { '/links': links }, {}, { proxy: { forwardHost: true } })
  const forwarded = await c.get('/links', { 'x-forwarded-host': 'shop.example' })
  t.match(forwarded.body, /shop\.example/)
  t.equal(c.origin.requests[0].headers['x-forwarded-host'], 'shop.example')
  const clean = await c.get('/links')
  t.notMatch(clean.body, /shop\.example/, 'a request for another host never gets that page')
  t.equal(clean.headers['x-cache'], 'MISS')
  t.equal((await c.get('/links', { 'x-forwarded-host': 'SHOP.example' })).headers['x-cache'], 'HIT', 'keyed on it, case-insensitively')
})
