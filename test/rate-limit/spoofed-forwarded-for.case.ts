// The per-IP key comes from request.ip: X-Forwarded-For counts only from a trusted proxy (server.trustProxy).
import t from '../helpers/cases.js'
import { IP_ONLY, setup } from './fixtures.js'

t.test('a spoofed X-Forwarded-For from an untrusted peer does not change the key', async t => {
  // Only 10.0.0.0/8 is trusted, so this test's loopback client is an untrusted peer.
  const s = await setup(t, { ...IP_ONLY, ip: { limit: 2, window: '1m' } }, { overrides: { server: { trustProxy: ['10.0.0.0/8'] } } })
  t.equal((await s.send('/p', { headers: { 'x-forwarded-for': '198.51.100.1' } })).status, 200)
  t.equal((await s.send('/p', { headers: { 'x-forwarded-for': '198.51.100.2' } })).status, 200)
  const third = await s.send('/p', { headers: { 'x-forwarded-for': '198.51.100.3, 10.0.0.1' } })
  t.equal(third.status, 429, 'every spoofed address counted as the real peer')
})

t.test('from a trusted proxy, X-Forwarded-For names the client', async t => {
  const s = await setup(t, { ...IP_ONLY, ip: { limit: 1, window: '1m' } })
  t.equal((await s.send('/p', { headers: { 'x-forwarded-for': '198.51.100.1' } })).status, 200)
  t.equal((await s.send('/p', { headers: { 'x-forwarded-for': '198.51.100.2' } })).status, 200, 'another client behind the proxy')
  t.equal((await s.send('/p', { headers: { 'x-forwarded-for': '198.51.100.1' } })).status, 429)
})

t.test('IPv6 clients are counted per /64; IPv4-mapped addresses as IPv4', async t => {
  const { clientKey } = await import('../../src/plugins/rate-limit/client-ip.js')
  t.equal(clientKey('2001:db8:1:2:aaaa::1', 64), clientKey('2001:db8:1:2:bbbb::2', 64))
  t.not(clientKey('2001:db8:1:2::1', 64), clientKey('2001:db8:1:3::1', 64))
  t.equal(clientKey('::ffff:192.0.2.1', 64), '192.0.2.1')
  t.equal(clientKey('192.0.2.1', 64), '192.0.2.1')
})
