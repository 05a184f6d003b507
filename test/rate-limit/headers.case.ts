import t from '../helpers/cases.js'
import { SidecarRequestState } from '../../src/core/sidecar.js'
import { setRateLimitHeaders, type HeaderOptions } from '../../src/plugins/rate-limit/headers.js'
import { makeTier } from '../../src/plugins/rate-limit/tiers.js'
import type { Check, CheckResult } from '../../src/plugins/rate-limit/types.js'

const ip = makeTier('ip', 100, 60_000, false, 1, 1)
const user = makeTier('user', 1000, 3_600_000, false, 1, 2)
const login = makeTier('login', 10, 300_000, false, 1, 4)
const unbitted = makeTier('late', 5, 60_000, false)

function check (tier: typeof ip): Check {
  return { tier, id: 'ip=1.2.3.4', key: `k:${tier.name}`, want: 1 }
}
const ok = (remaining: number): CheckResult => ({ granted: 1, remaining, resetMs: 1500, retryMs: 0 })

function headersOf (opts: HeaderOptions, checks: Check[], results: (CheckResult | null)[]): Record<string, unknown> {
  const state = new SidecarRequestState('proxy', 0)
  setRateLimitHeaders(state, checks, results, opts)
  const list = state.responseHeaders ?? []
  const out: Record<string, unknown> = {}
  for (let i = 0; i < list.length; i += 2) out[list[i]] = list[i + 1]
  return out
}

t.test('the cached policy of each tier set is the one built for it, whatever order sets are first seen in', async t => {
  const opts: HeaderOptions = { standard: true, legacy: false, policies: new Map() }
  const two = headersOf(opts, [check(ip), check(user)], [ok(99), ok(999)])
  t.equal(two['ratelimit-policy'], '"ip";q=100;w=60, "user";q=1000;w=3600')
  t.equal(two.ratelimit, '"ip";r=99;t=2, "user";r=999;t=2')
  const three = headersOf(opts, [check(ip), check(user), check(login)], [ok(98), ok(998), ok(9)])
  t.equal(three['ratelimit-policy'], '"ip";q=100;w=60, "user";q=1000;w=3600, "login";q=10;w=300')
  // A result unknown for a check (decided without the store) leaves that tier out of the cached key too.
  const partial = headersOf(opts, [check(ip), check(user)], [ok(97), null])
  t.equal(partial['ratelimit-policy'], '"ip";q=100;w=60')
  t.equal(headersOf(opts, [check(ip), check(user)], [ok(96), ok(996)])['ratelimit-policy'], '"ip";q=100;w=60, "user";q=1000;w=3600')
  t.equal(opts.policies?.size, 3)
})

t.test('a tier without a bit is built per request and not cached', async t => {
  const opts: HeaderOptions = { standard: true, legacy: false, policies: new Map() }
  const h = headersOf(opts, [check(ip), check(unbitted)], [ok(1), ok(2)])
  t.equal(h['ratelimit-policy'], '"ip";q=100;w=60, "late";q=5;w=60')
  t.equal(opts.policies?.size, 0)
  t.equal(headersOf({ standard: true, legacy: false }, [check(ip)], [ok(1)])['ratelimit-policy'], '"ip";q=100;w=60', 'no cache given: built')
})
