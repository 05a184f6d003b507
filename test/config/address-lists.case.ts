// One validating compiler for every address list: a bad entry in any of them is the same coded config error naming
// its key (it used to crash start-up with an uncoded ERR_OUT_OF_RANGE in cache.purge.allow), and every list means the
// same thing at run time.
import t from '../helpers/cases.js'
import { AddressList, compileAddressList } from '../../src/config/address-list.js'
import { loadConfig } from '../../src/sidecar-config.js'

function issuesOf (overrides: Record<string, unknown>): { path: string, message: string }[] {
  try {
    loadConfig({ env: {}, overrides })
  } catch (err) {
    const e = err as Error & { code?: string, issues?: { path: string, message: string }[] }
    if (e.code !== 'SIPUP_ERR_CONFIG_INVALID') throw err
    return e.issues ?? []
  }
  return []
}

t.test('a bad entry in any address list is SIPUP_ERR_CONFIG_INVALID naming its key and value', async t => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ cache: { purge: { allow: ['10.0.0.0/abc'] } } }, 'cache.purge.allow[0]', '"10.0.0.0/abc"'],
    [{ server: { trustProxy: ['127.0.0.1/8', '10.0.0.0/33'] } }, 'server.trustProxy[1]', '"10.0.0.0/33"'],
    [{ rateLimit: { allowlist: ['300.1.1.1'] } }, 'rateLimit.allowlist[0]', '"300.1.1.1"'],
    [{ rateLimit: { denylist: ['::1/129'] } }, 'rateLimit.denylist[0]', '"::1/129"'],
    [{ rateLimit: { denylist: ['10.0.0.0/'] } }, 'rateLimit.denylist[0]', '"10.0.0.0/"']
  ]
  for (const [overrides, path, got] of cases) {
    const issues = issuesOf(overrides)
    t.same(issues.map(i => i.path), [path], path)
    t.equal(issues[0]?.message, `expected an IPv4 or IPv6 address or CIDR like 203.0.113.0/24 (or loopback, linklocal, uniquelocal), got ${got}`)
  }
})

t.test('good entries, including proxy-addr\'s named ranges, load', async t => {
  t.same(issuesOf({ server: { trustProxy: ['loopback', 'uniquelocal', '2001:db8::/32', '203.0.113.7'] }, cache: { purge: { allow: ['linklocal'] } } }), [])
})

t.test('every list matches the same way: CIDRs, single addresses, IPv4-mapped peers, named ranges', async t => {
  const list = new AddressList(['10.0.0.0/8', '203.0.113.7', '2001:db8::/32', 'loopback'])
  for (const ip of ['10.1.2.3', '::ffff:10.1.2.3', '203.0.113.7', '2001:db8::1', '127.0.0.1', '::1']) t.ok(list.has(ip), ip)
  for (const ip of ['11.0.0.1', '203.0.113.8', '2001:db9::1', '', 'not-an-ip']) t.notOk(list.has(ip), ip || '(empty)')
  t.equal(compileAddressList([]), null, 'an empty list compiles to null: the hot path skips it')
  t.throws(() => new AddressList(['10.0.0.0/abc']), /expected an IPv4 or IPv6 address or CIDR/)
})
