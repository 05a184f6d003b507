// A cache hit's response head, serialized once per stored entry and encoding (issue 18). writeHead validates every
// header name and value with two regular expressions and concatenates the head line by line on every response,
// about 1.2k instructions a header: for a hit's 7-10 headers that was most of what the hit cost above bare
// node:http. Here the status line and the stored headers become one string when the entry is first served; a hit
// appends its per-response lines (Age, X-Cache, Cache-Status, the plugins' headers) and Node's own Connection /
// Keep-Alive lines, and hands the head to Node as writeHead would have left it (`_header`), so end() sends head and
// body exactly as before (one writev, 'finish', keep-alive, the next pipelined response).
//
// The bytes are the ones writeHead would write (test/cache/serialized-head.case.ts compares both on one socket).
// Anything writeHead would treat specially goes the old way (tryWriteHead returns false): a response of another
// class (light-my-request's for app.inject, HTTP/2's compat one), headers set before, a closing connection, a
// status without a body, a stored head without Date, and names Node reads (Connection, Keep-Alive,
// Transfer-Encoding, Trailer, Expect, Content-Disposition). The fields read are the ones Node 18-22's
// OutgoingMessage/ServerResponse define; a start-up probe turns the fast path off when one is missing.
import { ServerResponse, STATUS_CODES, validateHeaderName, validateHeaderValue, type IncomingMessage } from 'node:http'

/** The ServerResponse fields _storeHeader reads and sets (node/lib/_http_outgoing.js, _http_server.js). */
interface NodeResponse {
  _header: string | null
  _headerSent: boolean
  _contentLength: number | null
  _hasBody: boolean
  _removedConnection: boolean
  _defaultKeepAlive: boolean
  _keepAliveTimeout: number
  _maxRequestsPerSocket: number
  _expect_continue: boolean
  _sent100: boolean
  _last: boolean
  shouldKeepAlive: boolean
  maxRequestsOnConnectionReached: boolean
  chunkedEncoding: boolean
  strictContentLength: boolean
  statusMessage: string | undefined
}

/** Node's own header table of a response (null until setHeader): `getHeaderNames().length` without the array it
 * builds on every hit. null when this Node names it otherwise (the fast path is then off, see probe). */
const kOutHeaders: symbol | null = (() => {
  try {
    const req = { method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: {} } as unknown as IncomingMessage
    return Object.getOwnPropertySymbols(new ServerResponse(req)).find(s => s.description === 'kOutHeaders') ?? null
  } catch {
    return null
  }
})()

/** Whether a header was set on `res` before (setHeader, even if removed again since). */
function headersSet (res: ServerResponse): boolean {
  return (res as unknown as Record<symbol, unknown>)[kOutHeaders as symbol] !== null
}

/** Header names whose presence changes what _storeHeader adds or decides (matchHeader, processHeader). */
const SPECIAL = new Set(['connection', 'keep-alive', 'transfer-encoding', 'trailer', 'expect', 'content-disposition'])

function probe (): boolean {
  try {
    const req = { method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1, headers: {} } as unknown as IncomingMessage
    const res = new ServerResponse(req) as unknown as NodeResponse & Record<string, unknown>
    return kOutHeaders !== null && res[kOutHeaders as unknown as string] === null &&
      res._header === null && res._headerSent === false && res._hasBody === true &&
      res._removedConnection === false && res._defaultKeepAlive === true && typeof res.shouldKeepAlive === 'boolean' &&
      res._expect_continue === false && res._sent100 === false && res._last === false &&
      res.chunkedEncoding === false && res.strictContentLength === false && 'maxRequestsOnConnectionReached' in res &&
      'useChunkedEncodingByDefault' in res && typeof (ServerResponse.prototype as unknown as Record<string, unknown>)._storeHeader === 'function'
  } catch {
    return false
  }
}

/** Whether this Node's ServerResponse has the fields the fast path relies on (checked once). */
export const SERIALIZED_HEAD_SUPPORTED = probe()

/**
 * The status line and `pairs[0..end)` as writeHead would serialize them, or null when a pair would make writeHead
 * throw or decide something (SPECIAL), or Date is missing (writeHead would add one per response).
 */
export function serializeHead (status: number, pairs: readonly string[], end: number): string | null {
  if (status === 204 || status === 304 || status < 200 || status > 999) return null
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`
  let date = false
  try {
    for (let i = 0; i < end; i += 2) {
      const name = pairs[i]
      const lower = name.toLowerCase()
      if (SPECIAL.has(lower)) return null
      if (lower === 'date') date = true
      validateHeaderName(name)
      validateHeaderValue(name, pairs[i + 1])
      head += `${name}: ${pairs[i + 1]}\r\n`
    }
  } catch {
    return null
  }
  return date ? head : null
}

/** A writeHead patched on the response (an APM agent, a test spy) must still see every head. */
const WRITE_HEAD = ServerResponse.prototype.writeHead

/** Cache-Status / X-Cache values already checked (a handful of constant strings). */
const checked = new Set<string>()
const MAX_CHECKED = 64
/** The values the last hit checked: the same constant strings come back hit after hit, and comparing a string with
 * itself is cheaper than hashing it into the Set. */
let lastXCache = ''
let lastCacheStatus = ''

function checkValue (name: string, value: string): void {
  if (checked.has(value)) return
  validateHeaderValue(name, value)
  if (checked.size < MAX_CHECKED) checked.add(value)
}

let keepAliveFor = -1
let keepAliveMax = -1
let keepAliveLines = ''

/** Node's `Connection: keep-alive` + `Keep-Alive: timeout=N[, max=M]` lines for these server settings. */
function keepAlive (res: NodeResponse): string {
  if (!res._defaultKeepAlive || !(res._keepAliveTimeout > 0)) return 'Connection: keep-alive\r\n'
  const max = ~~res._maxRequestsPerSocket
  if (res._keepAliveTimeout !== keepAliveFor || max !== keepAliveMax) {
    keepAliveFor = res._keepAliveTimeout
    keepAliveMax = max
    keepAliveLines = `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(keepAliveFor / 1000)}${max > 0 ? `, max=${max}` : ''}\r\n`
  }
  return keepAliveLines
}

/**
 * The last whole head made from one prefix (an entry's stored head in one encoding): hit after hit, its Age changes
 * once a second and its X-Cache / Cache-Status values not at all, so the same string goes out again instead of a
 * new one concatenated and then flattened for the socket on every hit. Only for hits without plugin headers.
 */
export class HeadMemo {
  age = ''
  xCache: string | null = null
  cacheStatus = ''
  keepAlive = ''
  head = ''

  remember (age: string, xCache: string | null, cacheStatus: string, keepAlive: string, head: string): string {
    this.age = age
    this.xCache = xCache
    this.cacheStatus = cacheStatus
    this.keepAlive = keepAlive
    this.head = head
    return head
  }
}

/**
 * Stores the head writeHead(status, [...prefix pairs, age, [x-cache], cache-status, ...extra]) would store, and
 * returns true; false (nothing done) when the response must take writeHead. `extra` are the plugins' response
 * headers; those named in `names` (the stored ones) are left out, as withResponseHeaders does. `memo`: the prefix's
 * HeadMemo.
 */
export function tryWriteHead (res: ServerResponse, status: number, prefix: string | null, contentLength: number,
  age: string, xCache: string | null, cacheStatus: string, extra: readonly string[] | null,
  names: ReadonlySet<string>, memo: HeadMemo | null = null): boolean {
  if (prefix === null || !SERIALIZED_HEAD_SUPPORTED || Object.getPrototypeOf(res) !== ServerResponse.prototype ||
    res.writeHead !== WRITE_HEAD) return false
  const r = res as unknown as NodeResponse
  if (r._header !== null || !r.shouldKeepAlive || r._removedConnection || r.maxRequestsOnConnectionReached ||
    r.strictContentLength || (r.statusMessage !== undefined && r.statusMessage !== '') || (r._expect_continue && !r._sent100) ||
    headersSet(res)) return false
  if (xCache !== null && xCache !== lastXCache) { checkValue('x-cache', xCache); lastXCache = xCache }
  if (cacheStatus !== lastCacheStatus) { checkValue('cache-status', cacheStatus); lastCacheStatus = cacheStatus }
  const keep = keepAlive(r)
  let head: string | null
  if (memo === null || extra !== null) {
    head = composeHead(prefix, age, xCache, cacheStatus, extra, names, keep)
    if (head === null) return false
  } else if (memo.age === age && memo.cacheStatus === cacheStatus && memo.xCache === xCache && memo.keepAlive === keep) {
    head = memo.head
  } else {
    // Kept out of line: it runs about once a second, and its sparse type feedback must not deoptimize this function.
    head = memo.remember(age, xCache, cacheStatus, keep, composeHead(prefix, age, xCache, cacheStatus, null, names, keep) as string)
  }
  res.statusCode = status
  r.statusMessage = STATUS_CODES[status] ?? 'unknown'
  r._contentLength = contentLength
  r._header = head
  r._headerSent = false
  return true
}

/** The whole head: `prefix`, the per-response lines, the plugins' headers and the keep-alive lines; null when a
 * plugin header is one writeHead would act on. */
function composeHead (prefix: string, age: string, xCache: string | null, cacheStatus: string, extra: readonly string[] | null,
  names: ReadonlySet<string>, keep: string): string | null {
  let head = xCache === null
    ? `${prefix}age: ${age}\r\ncache-status: ${cacheStatus}\r\n`
    : `${prefix}age: ${age}\r\nx-cache: ${xCache}\r\ncache-status: ${cacheStatus}\r\n`
  if (extra !== null) {
    for (let i = 0; i < extra.length; i += 2) {
      const name = extra[i]
      if (names.has(name)) continue
      if (SPECIAL.has(name.toLowerCase())) return null
      validateHeaderName(name)
      validateHeaderValue(name, extra[i + 1])
      head += `${name}: ${extra[i + 1]}\r\n`
    }
  }
  return `${head}${keep}\r\n`
}
