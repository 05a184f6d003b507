// HTTP/2 specifics of the listening server:
// - a response class that drops HTTP/1 connection-specific headers (Connection, Keep-Alive, Transfer-Encoding,
//   Upgrade, Proxy-Connection): code written for HTTP/1 (the problem writer's `connection: close`, a cached
//   response's headers) must not throw ERR_HTTP2_INVALID_CONNECTION_HEADERS on an h2 stream (RFC 9113 §8.2.2);
// - rapid-reset protection: streams the client cancels are counted per session, and a session past
//   server.http2Limits.maxResets within resetWindow is closed (CVE-2023-44487).
import http2 from 'node:http2'
import type { OutgoingHttpHeaders } from 'node:http'

const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection'])

type HeaderArg = OutgoingHttpHeaders | ReadonlyArray<string | number | readonly string[]> | undefined

function cleanHeaders (headers: HeaderArg): HeaderArg {
  if (headers === undefined) return headers
  if (Array.isArray(headers)) {
    // A flat [name, value, …] array (the cache hit path): keep repeated names as repeated values.
    const out: Record<string, string | string[]> = {}
    for (let i = 0; i + 1 < headers.length; i += 2) {
      const name = String(headers[i]).toLowerCase()
      if (CONNECTION_SPECIFIC.has(name)) continue
      const v = headers[i + 1]
      const value = Array.isArray(v) ? v.map(String) : String(v)
      const prev = out[name]
      out[name] = prev === undefined ? value : ([] as string[]).concat(prev, value)
    }
    return out
  }
  const obj = headers as OutgoingHttpHeaders
  let dirty = false
  for (const name in obj) if (CONNECTION_SPECIFIC.has(name.toLowerCase())) { dirty = true; break }
  if (!dirty) return obj
  const out: OutgoingHttpHeaders = {}
  for (const name in obj) if (!CONNECTION_SPECIFIC.has(name.toLowerCase())) out[name] = obj[name]
  return out
}

/** Http2ServerRequest with a Host header from :authority (RFC 9113 §8.3.1), so the proxy, the cache key and the
 * rules that read `host` see the same value over HTTP/2 as over HTTP/1.1. */
export class SidecarH2Request extends http2.Http2ServerRequest {
  constructor (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, options: object, rawHeaders: string[]) {
    super(stream, headers, options as never, rawHeaders)
    const authority = headers[':authority']
    if (headers.host === undefined && typeof authority === 'string') headers.host = authority
  }
}

/** Http2ServerResponse that accepts what an HTTP/1 ServerResponse accepts. */
export class SidecarH2Response extends http2.Http2ServerResponse {
  override setHeader (name: string, value: number | string | readonly string[]): void {
    if (CONNECTION_SPECIFIC.has(name.toLowerCase())) return
    super.setHeader(name, value)
  }

  override writeHead (statusCode: number, a?: string | HeaderArg, b?: HeaderArg): this {
    if (typeof a === 'string') return super.writeHead(statusCode, a, cleanHeaders(b) as OutgoingHttpHeaders)
    return super.writeHead(statusCode, cleanHeaders(a) as OutgoingHttpHeaders)
  }
}

/**
 * Sends a response's HEADERS on the h2 stream itself, from a flat [name, value, …] list (repeated names kept), for a
 * writer that then calls res.end(body): false (nothing sent) when `res` is not an h2 response, already has headers
 * of its own (setHeader: writeHead's merge applies), or its stream is gone. The compat layer's writeHead costs one
 * setHeader per header, and it always asks for trailers: an empty DATA frame with END_STREAM after the body, and
 * a 'wantTrailers' round trip per response.
 */
export function respondH2 (res: object, status: number, flat: readonly string[]): boolean {
  if (!(res instanceof http2.Http2ServerResponse)) return false
  const stream = res.stream
  if (stream.destroyed || stream.closed || res.getHeaderNames().length !== 0) return false
  const headers: OutgoingHttpHeaders = { ':status': status }
  for (let i = 0; i + 1 < flat.length; i += 2) {
    // Lower-case already: a cache entry's names and the plugins' (setResponseHeader) are.
    const name = flat[i]
    if (CONNECTION_SPECIFIC.has(name)) continue
    const prev = headers[name]
    headers[name] = prev === undefined ? flat[i + 1] : ([] as string[]).concat(prev as string | string[], flat[i + 1])
  }
  // res.end() then finds its headers sent and only writes the body; statusCode is what hooks and the log read.
  res.statusCode = status
  stream.respond(headers)
  return true
}

// HTTP/2 has no reason phrase (RFC 9113 §8.3.2); the proxy copies the origin's, which Node would warn about on
// every response: setting it is a no-op here.
Object.defineProperty(SidecarH2Response.prototype, 'statusMessage', { get: () => '', set: () => undefined, configurable: true })
// The proxy checks res.destroyed before writing (a client gone mid-request); Http2ServerResponse lacks it.
Object.defineProperty(SidecarH2Response.prototype, 'destroyed', {
  get (this: SidecarH2Response) { return this.stream === undefined || this.stream.destroyed },
  configurable: true
})

export interface RapidResetOptions {
  maxResets: number
  /** ms */
  resetWindow: number
}

/** ms between a rapid-reset GOAWAY and the socket's destruction: long enough for the GOAWAY to be read. */
const GOAWAY_GRACE_MS = 250

/** One session's reset count; streams reach it through kResetCount. */
class ResetCount {
  windowStart = 0
  resets = 0
  closing = false
  constructor (readonly session: http2.ServerHttp2Session, readonly opts: RapidResetOptions,
    readonly onClose: ((session: http2.ServerHttp2Session) => void) | undefined) {}
}

const kResetCount = Symbol('sipup.resetCount')

type CountedStream = http2.ServerHttp2Stream & { [kResetCount]?: ResetCount }

// One function for every stream ('close' comes once): a closure and a once() wrapper per stream cost more than
// the count itself. A stream closed with an error code (NGHTTP2_CANCEL from a rapid-reset client), answered or not.
function onCountedStreamClose (this: CountedStream): void {
  const code = this.rstCode
  if (code === undefined || code === http2.constants.NGHTTP2_NO_ERROR) return
  const c = this[kResetCount] as ResetCount
  const session = c.session
  const now = Date.now()
  if (now - c.windowStart > c.opts.resetWindow) { c.windowStart = now; c.resets = 0 }
  if (++c.resets > c.opts.maxResets && !c.closing && !session.destroyed) {
    c.closing = true
    c.onClose?.(session)
    // The attacker's frames are still arriving: destroying the socket at once closes it with unread input,
    // the kernel answers with RST and the client can lose the GOAWAY that says why. New streams are refused
    // from here on (they are past the GOAWAY's last stream id); the socket goes after a short grace.
    session.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM)
    setTimeout(() => { if (!session.destroyed) session.destroy() }, GOAWAY_GRACE_MS).unref()
  }
}

/** Closes sessions whose client cancels more than maxResets streams within resetWindow. */
export function guardRapidReset (server: { on(event: 'session', l: (session: http2.ServerHttp2Session) => void): unknown }, opts: RapidResetOptions, onClose?: (session: http2.ServerHttp2Session) => void): void {
  server.on('session', function countResets (session) {
    const count = new ResetCount(session, opts, onClose)
    session.on('stream', function watchStream (stream: CountedStream) {
      stream[kResetCount] = count
      stream.on('close', onCountedStreamClose)
    })
  })
}

/**
 * Gives an HTTP/2 server the two calls graceful shutdown (src/core/shutdown.ts) and Fastify make on an http.Server:
 * closeIdleConnections (GOAWAY: open streams finish, no new ones) and closeAllConnections (cut everything, HTTP/1.1
 * fallback connections included).
 */
export function addConnectionClosers (server: http2.Http2SecureServer): void {
  const sessions = new Set<http2.ServerHttp2Session>()
  const h1 = new Set<import('node:tls').TLSSocket>()
  server.on('session', (session) => {
    sessions.add(session)
    session.once('close', () => sessions.delete(session))
  })
  server.on('secureConnection', (socket) => {
    if (socket.alpnProtocol === 'h2') return
    h1.add(socket)
    socket.once('close', () => h1.delete(socket))
  })
  Object.assign(server, {
    closeIdleConnections (): void {
      for (const s of sessions) if (!s.closed) s.close()
    },
    closeAllConnections (): void {
      for (const s of sessions) s.destroy()
      for (const s of h1) s.destroy()
    }
  })
}
