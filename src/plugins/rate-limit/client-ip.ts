// The client key and the allow/deny lists. The address is `request.ip`, which Fastify derives from the TCP peer
// and X-Forwarded-For only when the peer is in `server.trustProxy`, so a client can't pick its own key.
import { isIPv4 } from 'node:net'
import { normalizeIP } from '@fastify/rate-limit'

const MAPPED_V4 = '::ffff:'

/** IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 reduced to its /`subnet` network (one host usually owns a /64). */
export function clientKey (ip: string, subnet: number): string {
  if (isIPv4(ip)) return ip
  if (ip.startsWith(MAPPED_V4) && isIPv4(ip.slice(MAPPED_V4.length))) return ip.slice(MAPPED_V4.length)
  // @fastify/rate-limit's helper: canonical form, subnet start address.
  return normalizeIP(ip, subnet)
}
