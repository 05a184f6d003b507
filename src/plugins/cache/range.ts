// Range requests answered from a stored full 200 (RFC 9110 §14): one range as 206 with Content-Range, several as
// multipart/byteranges, none satisfiable as 416, If-Range honoured (a changed representation gets the whole 200).
// Ranges are of the stored identity body (or of the origin's own encoding): the representation the origin's ETag
// names, never of the copies the cache compressed.
import { randomBytes } from 'node:crypto'
import type { IncomingHttpHeaders, ServerResponse } from 'node:http'
import { appendResponseHeaders } from '../../core/response-headers.js'
import { ageSeconds, parseHttpDate } from './policy.js'
import type { ServeOptions } from './serve.js'
import { EMPTY } from './entry-size.js'
import type { CacheEntry } from './types.js'

/** More ranges than this are answered with the whole body (a request of many tiny ranges is abuse, §14.2). */
export const MAX_RANGES = 32

export type Ranges = Array<[start: number, end: number]>

/**
 * The satisfiable byte ranges of a `Range` header for a body of `size` bytes, `'unsatisfiable'`, or null when the
 * header is to be ignored (not `bytes=`, a syntax error, too many ranges, or more bytes than the body itself).
 */
export function parseRange (header: string, size: number): Ranges | 'unsatisfiable' | null {
  const eq = header.indexOf('=')
  if (eq === -1 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return null
  const specs = header.slice(eq + 1).split(',')
  if (specs.length > MAX_RANGES) return null
  const out: Ranges = []
  let total = 0
  for (const raw of specs) {
    const spec = raw.trim()
    if (spec === '') continue
    const m = /^(\d*)-(\d*)$/.exec(spec)
    if (m === null || (m[1] === '' && m[2] === '')) return null
    let start: number
    let end: number
    if (m[1] === '') {
      // Suffix range: the last N bytes (RFC 9110 §14.1.2).
      const n = Number(m[2])
      if (n === 0 || size === 0) continue
      start = Math.max(0, size - n)
      end = size - 1
    } else {
      start = Number(m[1])
      end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
      if (m[2] !== '' && Number(m[2]) < start) return null
      if (start >= size) continue
    }
    out.push([start, end])
    total += end - start + 1
  }
  if (out.length === 0) return 'unsatisfiable'
  return total > size ? null : out
}

/** RFC 9110 §13.1.5: the range applies only if the validator still names the stored representation (strong
 * comparison; a date only when Last-Modified is strong, i.e. at least a second before Date). */
export function ifRangeMatches (value: string | undefined, stored: CacheEntry['headers']): boolean {
  if (value === undefined) return true
  const v = value.trim()
  if (v.startsWith('"') || v.startsWith('W/')) {
    const etag = stored.etag
    return typeof etag === 'string' && !v.startsWith('W/') && !etag.startsWith('W/') && etag === v
  }
  const at = parseHttpDate(v)
  const lm = parseHttpDate(stored['last-modified'] as string | undefined)
  const date = parseHttpDate(stored.date as string | undefined)
  return !Number.isNaN(at) && at === lm && !Number.isNaN(date) && date - lm >= 1000
}

const HEADERS_416 = new Set(['cache-control', 'date', 'etag', 'expires', 'last-modified', 'vary'])

export interface RangeAnswer {
  status: 206 | 416
  /** Flat [name, value, ...] list, Age and the cache labels included. */
  headers: string[]
  body: Buffer
}

/** Answers a GET with a Range header from a stored 200 on the client socket; false when the Range is to be
 * ignored (the caller serves the whole response). */
export function serveRange (res: ServerResponse, entry: CacheEntry, req: IncomingHttpHeaders, now: number,
  opts: ServeOptions, xCache: string, cacheStatus: string, extra: readonly string[] | null): boolean {
  const a = rangeAnswer(entry, req, now, opts, xCache, cacheStatus)
  if (a === null) return false
  appendResponseHeaders(a.headers, extra)
  res.writeHead(a.status, a.headers)
  res.end(a.body)
  return true
}

/** The 206/416 for a GET with a Range header from a stored 200, or null when the Range is to be ignored. */
export function rangeAnswer (entry: CacheEntry, req: IncomingHttpHeaders, now: number, opts: ServeOptions,
  xCache: string, cacheStatus: string): RangeAnswer | null {
  const header = req.range
  if (typeof header !== 'string' || entry.status !== 200) return null
  const ifRange = req['if-range']
  if (!ifRangeMatches(Array.isArray(ifRange) ? ifRange[0] : ifRange, entry.headers)) return null
  const body = entry.body
  const ranges = parseRange(header, body.length)
  if (ranges === null) return null
  const out: string[] = []
  const tail = (): void => {
    out.push('age', String(ageSeconds(entry, now)))
    if (opts.xCache) out.push('x-cache', xCache)
    out.push('cache-status', cacheStatus)
  }
  if (ranges === 'unsatisfiable') {
    copyHeaders(entry, out, name => HEADERS_416.has(name))
    out.push('content-range', `bytes */${body.length}`, 'content-length', '0')
    tail()
    return { status: 416, headers: out, body: EMPTY }
  }
  copyHeaders(entry, out, name => name !== 'content-length' && name !== 'content-range' && name !== 'accept-ranges' &&
    (ranges.length === 1 || name !== 'content-type'))
  out.push('accept-ranges', 'bytes')
  if (ranges.length === 1) {
    const [start, end] = ranges[0]
    out.push('content-range', `bytes ${start}-${end}/${body.length}`, 'content-length', String(end - start + 1))
    tail()
    return { status: 206, headers: out, body: body.subarray(start, end + 1) }
  }
  const boundary = randomBytes(12).toString('hex')
  const type = entry.headers['content-type']
  const typeLine = typeof type === 'string' ? `Content-Type: ${type}\r\n` : ''
  const parts: Buffer[] = []
  for (const [start, end] of ranges) {
    parts.push(Buffer.from(`\r\n--${boundary}\r\n${typeLine}Content-Range: bytes ${start}-${end}/${body.length}\r\n\r\n`),
      body.subarray(start, end + 1))
  }
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`))
  const payload = Buffer.concat(parts)
  out.push('content-type', `multipart/byteranges; boundary=${boundary}`, 'content-length', String(payload.length))
  tail()
  return { status: 206, headers: out, body: payload }
}

function copyHeaders (entry: CacheEntry, out: string[], keep: (name: string) => boolean): void {
  let vary: string | null = null
  for (const name in entry.headers) {
    if (!keep(name)) continue
    const v = entry.headers[name]
    if (name === 'vary') { vary = Array.isArray(v) ? v.join(', ') : v; continue }
    if (typeof v === 'string') out.push(name, v)
    else for (const x of v) out.push(name, x)
  }
  // The representation was chosen by Accept-Encoding when the cache holds compressed copies of it.
  if (entry.br !== null) vary = vary === null ? 'Accept-Encoding' : /accept-encoding/i.test(vary) ? vary : `${vary}, Accept-Encoding`
  if (vary !== null && keep('vary')) out.push('vary', vary)
}
