// The one meaning of an address list in the config (server.trustProxy, cache.purge.allow, rateLimit.allowlist,
// rateLimit.denylist, ...): IPv4/IPv6 addresses and CIDRs, plus proxy-addr's names loopback, linklocal and
// uniquelocal. The schema keyword `x-address` (validate.ts) checks every entry at load time, so a bad one is a config
// error naming its key; compileAddressList() then never meets one.
import { BlockList, isIPv4, isIPv6 } from 'node:net'

/** Named ranges, as @fastify/proxy-addr (Fastify's trustProxy) understands them. */
const NAMED: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']
}

export const ADDRESS_EXPECTATION = 'an IPv4 or IPv6 address or CIDR like 203.0.113.0/24 (or loopback, linklocal, uniquelocal)'

interface Subnet { addr: string, bits: number, family: 'ipv4' | 'ipv6' }

function parseOne (spec: string): Subnet | null {
  const slash = spec.indexOf('/')
  const addr = slash === -1 ? spec : spec.slice(0, slash)
  const family = isIPv4(addr) ? 'ipv4' : isIPv6(addr) ? 'ipv6' : null
  if (family === null) return null
  const max = family === 'ipv4' ? 32 : 128
  if (slash === -1) return { addr, bits: max, family }
  const text = spec.slice(slash + 1)
  if (!/^\d{1,3}$/.test(text)) return null
  const bits = Number(text)
  return bits <= max ? { addr, bits, family } : null
}

function expand (spec: string): Subnet[] | null {
  const named = NAMED[spec]
  if (named !== undefined) return named.map(s => parseOne(s) as Subnet)
  const one = parseOne(spec)
  return one === null ? null : [one]
}

export function isAddressSpec (spec: unknown): boolean {
  return typeof spec === 'string' && expand(spec) !== null
}

/** A compiled list. IPv4 entries also match IPv4-mapped IPv6 peers (`::ffff:10.0.0.1` on a dual-stack socket). */
export class AddressList {
  readonly size: number
  readonly #list = new BlockList()

  constructor (entries: readonly string[]) {
    let n = 0
    for (const entry of entries) {
      const subnets = expand(entry)
      if (subnets === null) throw new TypeError(`expected ${ADDRESS_EXPECTATION}, got '${entry}'`)
      for (const s of subnets) {
        this.#list.addSubnet(s.addr, s.bits, s.family)
        if (s.family === 'ipv4') this.#list.addSubnet(`::ffff:${s.addr}`, 96 + s.bits, 'ipv6')
        n++
      }
    }
    this.size = n
  }

  has (ip: string): boolean {
    if (isIPv4(ip)) return this.#list.check(ip, 'ipv4')
    return isIPv6(ip) && this.#list.check(ip, 'ipv6')
  }
}

/** null for an empty list, so a hot path skips it with one comparison. */
export function compileAddressList (entries: readonly string[]): AddressList | null {
  return entries.length === 0 ? null : new AddressList(entries)
}
