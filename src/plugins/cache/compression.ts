// Text bodies are compressed once when stored (brotli and gzip) and every hit picks a copy by Accept-Encoding.
import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'

const brotli = promisify(brotliCompress)
const gz = promisify(gzip)

export const IDENTITY = 0
export const BR = 1
export const GZIP = 2
export type Encoding = typeof IDENTITY | typeof BR | typeof GZIP

export function typeMatcher (types: readonly string[]): (contentType: string | string[] | undefined) => boolean {
  const exact = new Set(types.filter(t => !t.endsWith('*')).map(t => t.toLowerCase()))
  const prefixes = types.filter(t => t.endsWith('*')).map(t => t.slice(0, -1).toLowerCase())
  return (contentType) => {
    if (typeof contentType !== 'string') return false
    const semi = contentType.indexOf(';')
    const mime = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase()
    if (exact.has(mime)) return true
    for (const p of prefixes) if (mime.startsWith(p)) return true
    return false
  }
}

/** Quality 5 brotli: near gzip -9 speed with a clearly smaller result; done once per stored entry. */
export async function compressBody (body: Buffer): Promise<{ br: Buffer, gzip: Buffer }> {
  const [b, g] = await Promise.all([
    brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
    gz(body, { level: 6 })
  ])
  return { br: b, gzip: g }
}

// Distinct Accept-Encoding values are few (one per browser family); remember the choice for each, bounded.
const MAX_REMEMBERED = 100
const chosen = new Map<string, Encoding>()

/** The best stored encoding a client accepts (RFC 9110 §12.5.3), preferring br over gzip. */
export function pickEncoding (accept: string | string[] | undefined): Encoding {
  if (accept === undefined) return IDENTITY
  const text = Array.isArray(accept) ? accept.join(',') : accept
  const known = chosen.get(text)
  if (known !== undefined) return known
  const result = parseAccept(text)
  if (chosen.size >= MAX_REMEMBERED) chosen.delete(chosen.keys().next().value as string)
  chosen.set(text, result)
  return result
}

function parseAccept (text: string): Encoding {
  let br = -1
  let gzip = -1
  let star = -1
  for (const part of text.split(',')) {
    const [rawName, ...params] = part.split(';')
    const name = rawName.trim().toLowerCase()
    let q = 1
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p)
      if (m !== null) q = Number(m[1])
    }
    if (name === 'br') br = q
    else if (name === 'gzip' || name === 'x-gzip') gzip = q
    else if (name === '*') star = q
  }
  if (br === -1) br = star
  if (gzip === -1) gzip = star
  if (br > 0 && br >= gzip) return BR
  if (gzip > 0) return GZIP
  return IDENTITY
}
