// server.redirectHttp: the plain-HTTP listener when the sidecar is the public server. Every request gets a 308 to
// https:// (308 keeps the method and body, RFC 9110 §15.4.9), except ACME HTTP-01 challenges, which certbot's
// webroot mode must reach over plain HTTP: served from acmeDir, or forwarded to the origin.
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import type { CoreConfig } from '../config/core-schema.js'
import { drainAndClose } from './shutdown.js'

const ACME_PREFIX = '/.well-known/acme-challenge/'
/** RFC 8555 §8.3: a token is base64url; anything else (dots, slashes, %2e) is refused, so no path can escape acmeDir. */
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/

type ServerConfig = CoreConfig['server']

function httpsLocation (req: http.IncomingMessage, httpsPort: number): string | null {
  const host = req.headers.host
  if (host === undefined || !/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(host)) return null
  const name = host.replace(/:\d+$/, '')
  const port = httpsPort === 443 || httpsPort === 0 ? '' : `:${httpsPort}`
  const target = req.url ?? '/'
  return `https://${name}${port}${target.startsWith('/') ? target : '/'}`
}

function serveChallenge (dir: string, token: string, res: http.ServerResponse): void {
  if (!TOKEN.test(token)) { res.writeHead(404, { 'content-length': 0 }).end(); return }
  fs.readFile(path.join(dir, '.well-known', 'acme-challenge', token), (err, body) => {
    if (err !== null) { res.writeHead(404, { 'content-length': 0 }).end(); return }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length, 'cache-control': 'no-store' }).end(body)
  })
}

function forwardChallenge (upstream: URL, req: http.IncomingMessage, res: http.ServerResponse): void {
  const out = http.request({
    host: upstream.hostname, port: upstream.port === '' ? 80 : Number(upstream.port), method: 'GET', path: req.url,
    headers: { host: req.headers.host ?? upstream.host, 'x-forwarded-proto': 'http' }
  }, up => {
    res.writeHead(up.statusCode ?? 502, { 'content-type': up.headers['content-type'] ?? 'text/plain', 'cache-control': 'no-store' })
    up.pipe(res)
  })
  out.setTimeout(5000, () => out.destroy())
  out.on('error', () => { if (!res.headersSent) res.writeHead(502, { 'content-length': 0 }); res.end() })
  out.end()
}

export interface RedirectServer {
  port: number
  /** Stops accepting, answers what is in flight (with `Connection: close`) and closes keep-alive connections as they
   * go idle; whatever is still open after `deadlineMs` is cut. */
  close(deadlineMs?: number): Promise<void>
}

/** What a close waits for in-flight requests at most: a forwarded ACME challenge may take its 5 s origin timeout. */
export const REDIRECT_CLOSE_DEADLINE_MS = 6000

/** Starts the plain-HTTP listener; httpsPort is the port the TLS server actually bound. */
export async function startRedirectServer (s: ServerConfig, upstreamUrl: string, httpsPort: number): Promise<RedirectServer> {
  const r = s.redirectHttp
  const upstream = new URL(upstreamUrl)
  const acmeDir = r.acmeDir === '' ? null : path.resolve(r.acmeDir)
  let closing = false
  const server = http.createServer({ maxHeaderSize: s.maxHeaderSize, headersTimeout: s.headersTimeout, requestTimeout: 30_000 }, (req, res) => {
    // While closing, a request already read is still answered, and its connection ends with it.
    if (closing) res.shouldKeepAlive = false
    const url = req.url ?? '/'
    if (url.startsWith(ACME_PREFIX) && (req.method === 'GET' || req.method === 'HEAD')) {
      if (acmeDir !== null) serveChallenge(acmeDir, url.slice(ACME_PREFIX.length).split('?')[0], res)
      else forwardChallenge(upstream, req, res)
      return
    }
    const location = httpsLocation(req, httpsPort)
    if (location === null) { res.writeHead(400, { 'content-length': 0, connection: 'close' }).end(); return }
    res.writeHead(308, { location, 'content-length': 0, 'cache-control': 'no-store' }).end()
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(r.port, r.host === '' ? s.host : r.host, () => { server.off('error', reject); resolve() })
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: async (deadlineMs = REDIRECT_CLOSE_DEADLINE_MS) => {
      // Cutting every connection at once (as this did) reset the requests in flight: during a rolling restart the
      // old worker's plain-HTTP clients saw ECONNRESET.
      closing = true
      await drainAndClose(server, () => new Promise<void>(resolve => { server.close(() => { resolve() }) }), deadlineMs)
    }
  }
}

/** The Strict-Transport-Security value of server.hsts, or null when it is off. */
export function hstsValue (s: ServerConfig): string | null {
  if (s.hsts.maxAge <= 0) return null
  return `max-age=${Math.floor(s.hsts.maxAge / 1000)}${s.hsts.includeSubDomains ? '; includeSubDomains' : ''}${s.hsts.preload ? '; preload' : ''}`
}
