// Guards on accepted client connections, before any byte is parsed:
// - idle timeout: Node's headersTimeout starts with a request's first byte, so a socket that never sends one is
//   never closed, and enough of them fill server.maxConnections. A new connection must have sent its first
//   request's headers within server.idleTimeout; after that, the wait between requests is keepAliveTimeout's.
// - per-IP cap: one address may hold at most server.maxConnectionsPerIp connections; the next is answered 429 and
//   closed. Trusted proxies (server.trustProxy) are exempt: behind nginx every connection comes from 127.0.0.1,
//   and a per-IP cap there would be a cap on the whole site (limit clients in nginx with limit_conn instead).
import type { IncomingMessage, Server } from 'node:http'
import type { Socket } from 'node:net'
import { AddressList } from '../config/address-list.js'
import { SIPUP_ERR_CLIENT_TOO_MANY_CONNECTIONS } from '../errors.js'
import { problem, renderProblem } from './problem.js'

const kAwaitingFirstRequest = Symbol('sipup.awaitingFirstRequest')
const kRefused = Symbol('sipup.refusedConnection')
type GuardedSocket = Socket & { [kAwaitingFirstRequest]?: boolean, [kRefused]?: boolean }

/** True for a connection over the per-IP cap: it was answered 429 already, a request read from it is dropped. */
export function isRefused (socket: Socket): boolean {
  return (socket as GuardedSocket)[kRefused] === true
}

export interface ConnectionGuardOptions {
  /** ms a new connection may stay without a complete request; 0 = no limit. */
  idleTimeout: number
  /** Connections one untrusted address may hold; 0 = no limit. */
  maxPerIp: number
  trustProxy: readonly string[]
  /** The server event that hands over the socket requests are read from. @default 'connection' */
  event?: 'connection' | 'secureConnection'
}

const TOO_MANY = problem(SIPUP_ERR_CLIENT_TOO_MANY_CONNECTIONS,
  'Too many connections from your address are open at once. Close some and try again.')

/** The answer to a connection over the cap, written once: the client has sent nothing yet, so it is a whole reply. */
function tooManyResponse (): Buffer {
  const { body, type } = renderProblem(TOO_MANY, false, { retryAfterS: 1 })
  return Buffer.from(`HTTP/1.1 ${TOO_MANY.status} Too Many Requests\r\ncontent-type: ${type}\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\nretry-after: 1\r\nconnection: close\r\n\r\n${body}`)
}

function onIdle (this: GuardedSocket): void {
  if (this[kAwaitingFirstRequest] === true) this.destroy()
}

/** A request arrived on `req.socket`: the idle timeout of a new connection is over. */
function firstRequest (req: IncomingMessage): void {
  const socket = req.socket as GuardedSocket
  if (socket[kAwaitingFirstRequest] !== true) return
  socket[kAwaitingFirstRequest] = false
  socket.setTimeout(0)
}

/**
 * Guards `server`'s connections. Returns the per-request part (null when there is none), for the server's own
 * request listener to call after it handled the request: a second 'request' listener would make every emit copy
 * the listener array and call through Reflect.apply (issue 18).
 */
export function guardConnections (server: Server, opts: ConnectionGuardOptions): ((req: IncomingMessage) => void) | null {
  const { idleTimeout, maxPerIp } = opts
  const trust = new AddressList(opts.trustProxy)
  const perIp = new Map<string, number>()
  const refusal = maxPerIp > 0 ? tooManyResponse() : null
  server.on(opts.event ?? 'connection', function guardConnection (socket: GuardedSocket) {
    if (refusal !== null) {
      const address = socket.remoteAddress ?? ''
      if (!trust.has(address)) {
        const open = perIp.get(address) ?? 0
        if (open >= maxPerIp) {
          // end(), not destroy(): a reset could discard the answer before the client reads it.
          socket[kRefused] = true
          socket.end(refusal)
          socket.setTimeout(1000, () => socket.destroy())
          return
        }
        perIp.set(address, open + 1)
        socket.once('close', () => {
          const n = (perIp.get(address) ?? 1) - 1
          if (n <= 0) perIp.delete(address)
          else perIp.set(address, n)
        })
      }
    }
    if (idleTimeout > 0) {
      socket[kAwaitingFirstRequest] = true
      socket.setTimeout(idleTimeout)
      socket.on('timeout', onIdle)
    }
  })
  return idleTimeout > 0 ? firstRequest : null
}
