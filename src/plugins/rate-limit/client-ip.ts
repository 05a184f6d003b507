// The client key and the allow/deny lists. The address is `request.ip`, which Fastify derives from the TCP peer
// and X-Forwarded-For only when the peer is in `server.trustProxy`, so a client can't pick its own key.
import type { IncomingHttpHeaders } from 'node:http'
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

/** What clientAddress reads of a request (Fastify's Request or the bypass's LightRequest). */
export interface AddressedRequest {
  readonly ip: string
  readonly headers: IncomingHttpHeaders
  readonly raw: { readonly socket?: { readonly remoteAddress?: string } | null }
}

/**
 * `request.ip` as Fastify derives it with server.trustProxy (@fastify/proxy-addr: the first untrusted address of
 * the peer and X-Forwarded-For read right to left), without parsing an address per request in the usual cases:
 * `peerTrusted` is the peer's trust, decided once per connection. An untrusted peer is the client; behind a trusted
 * peer, a single X-Forwarded-For entry is the client whatever it is (proxy-addr only tests the addresses before the
 * last). Several entries, or no peer address, take Fastify's getter.
 */
export function clientAddress (request: AddressedRequest, peerTrusted: boolean): string {
  const peer = request.raw.socket?.remoteAddress
  if (peer === undefined) return request.ip
  if (!peerTrusted) return peer
  const xff = request.headers['x-forwarded-for']
  if (xff === undefined) return peer
  if (typeof xff !== 'string' || xff.indexOf(',') !== -1) return request.ip
  const v = xff.trim()
  return v.length === 0 ? peer : v
}
