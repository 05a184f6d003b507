// The request line and Host, checked and normalised before Fastify routes the request, so every hook, rule and log
// line sees one form of the target: the origin form (`/path?query`).
// - Absolute form (`POST http://shop.example/login.php HTTP/1.1`, RFC 9112 §3.2.2) is rewritten to origin form.
//   Its authority must name the same host as the Host header (compared case-insensitively, default ports ignored):
//   a mismatch is 400, because the sidecar and the PHP app read Host, and a target that says otherwise is either a
//   misdirected request or an attempt to make the two disagree (rules keyed by one, the page built from the other).
//   Without a Host header (HTTP/1.0) the target's authority becomes the Host.
// - Two Host headers are 400 (RFC 9112 §3.2): Node keeps the first and drops the rest silently.
// - `OPTIONS *` (asterisk form) is about the server, not a page: answered here, never forwarded.
// - Anything else not starting with `/` (authority form outside CONNECT, garbage) is 400.
import type { IncomingMessage } from 'node:http'
import { SIPUP_ERR_REQUEST_INVALID } from '../errors.js'
import { problem, type Problem } from './problem.js'

/** What the server-wide `OPTIONS *` advertises: the methods a page of the site may be asked with. */
export const SERVER_ALLOW = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'

export const OPTIONS_ASTERISK = 'options *'

const ABSOLUTE = /^(https?):\/\/([^/?#]*)([^#]*)$/i

const DUPLICATE_HOST = problem(SIPUP_ERR_REQUEST_INVALID, 'The request has more than one Host header.')
const BAD_TARGET = problem(SIPUP_ERR_REQUEST_INVALID, 'The request target is not a path (origin form) or an http(s) URL (absolute form).')
const ASTERISK_METHOD = problem(SIPUP_ERR_REQUEST_INVALID, 'The asterisk request target (*) is only valid with OPTIONS.')
const USERINFO = problem(SIPUP_ERR_REQUEST_INVALID, 'The request target carries user information (user@host); send credentials in headers.')
const HOST_MISMATCH = problem(SIPUP_ERR_REQUEST_INVALID, 'The host in the request target does not match the Host header.')

/** More than one Host header in the raw header list (names are case-insensitive). */
function hostCount (raw: readonly string[]): number {
  let n = 0
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]
    if (name.length === 4 && name.toLowerCase() === 'host') n++
  }
  return n
}

/** `Shop.Example:80` under http → `shop.example`: lower-case, without the scheme's default port. */
function canonicalAuthority (authority: string, scheme: string): string {
  const a = authority.toLowerCase()
  const dflt = scheme === 'https' ? ':443' : ':80'
  return a.endsWith(dflt) ? a.slice(0, -dflt.length) : a
}

/**
 * Checks `req` and rewrites an absolute-form target in place (`req.url`, and Host when missing).
 * Returns null when the request may go on, OPTIONS_ASTERISK for `OPTIONS *`, or the problem to answer.
 */
export function checkRequestTarget (req: IncomingMessage): Problem | typeof OPTIONS_ASTERISK | null {
  if (hostCount(req.rawHeaders) > 1) return DUPLICATE_HOST
  const url = req.url ?? ''
  if (url.charCodeAt(0) === 47 /* / */) return null
  if (url === '*') return req.method === 'OPTIONS' ? OPTIONS_ASTERISK : ASTERISK_METHOD
  const m = ABSOLUTE.exec(url)
  if (m === null) return BAD_TARGET
  const scheme = m[1].toLowerCase()
  const authority = m[2]
  if (authority === '' || authority.includes('@')) return authority === '' ? BAD_TARGET : USERINFO
  const host = req.headers.host
  if (host === undefined || host === '') {
    req.headers.host = authority.toLowerCase()
  } else if (canonicalAuthority(host, scheme) !== canonicalAuthority(authority, scheme)) {
    return HOST_MISMATCH
  }
  const rest = m[3]
  // `http://h` and `http://h?q` have an empty path: origin form starts with `/` (RFC 9112 §3.2.1).
  req.url = rest === '' ? '/' : rest.charCodeAt(0) === 63 /* ? */ ? '/' + rest : rest
  return null
}
