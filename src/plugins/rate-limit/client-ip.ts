// The client key and the allow/deny lists. The address is `request.ip`, which Fastify derives from the TCP peer
// and X-Forwarded-For only when the peer is in `server.trustProxy`, so a client can't pick its own key.
import { BlockList, isIPv4, isIPv6 } from 'node:net'
import { normalizeIP } from '@fastify/rate-limit'
import { SIPUP_ERR_RATELIMIT_CONFIG } from '../../errors.js'

const MAPPED_V4 = '::ffff:'

/** IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 reduced to its /`subnet` network (one host usually owns a /64). */
export function clientKey (ip: string, subnet: number): string {
  if (isIPv4(ip)) return ip
  if (ip.startsWith(MAPPED_V4) && isIPv4(ip.slice(MAPPED_V4.length))) return ip.slice(MAPPED_V4.length)
  // @fastify/rate-limit's helper: canonical form, subnet start address.
  return normalizeIP(ip, subnet)
}

/** A set of addresses and CIDRs; null when empty so the hot path skips it with one comparison. */
export function compileIpList (entries: readonly string[], path: string): BlockList | null {
  if (entries.length === 0) return null
  const list = new BlockList()
  entries.forEach((entry, i) => {
    const slash = entry.indexOf('/')
    const addr = slash === -1 ? entry : entry.slice(0, slash)
    const family = isIPv4(addr) ? 'ipv4' : isIPv6(addr) ? 'ipv6' : null
    const bits = slash === -1 ? (family === 'ipv4' ? 32 : 128) : Number(entry.slice(slash + 1))
    const max = family === 'ipv4' ? 32 : 128
    if (family === null || !Number.isInteger(bits) || bits < 0 || bits > max || (slash !== -1 && entry.slice(slash + 1) === '')) {
      throw new SIPUP_ERR_RATELIMIT_CONFIG(`${path}[${i}]`, 'an IPv4 or IPv6 address or CIDR like 203.0.113.0/24', entry)
    }
    list.addSubnet(addr, bits, family)
  })
  return list
}

export function inList (list: BlockList, ip: string): boolean {
  return isIPv4(ip) ? list.check(ip, 'ipv4') : list.check(ip, 'ipv6')
}
