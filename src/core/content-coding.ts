// Content-coding rules shared by the cache (stored copies) and the proxy (pass-through compression): which
// content types are worth compressing and which coding a client's Accept-Encoding picks (RFC 9110 §12.5.3).
// zstd is not offered: Node 20's zlib has no zstd (it arrived in Node 22.15/23.8).

export const IDENTITY = 0
export const BR = 1
export const GZIP = 2
export type Encoding = typeof IDENTITY | typeof BR | typeof GZIP

/** The codings the sidecar can produce, by their Content-Encoding token. */
export const CODINGS = { br: BR, gzip: GZIP } as const
export type CodingName = keyof typeof CODINGS

export const CODING_NAMES: Readonly<Record<Encoding, string>> = { [IDENTITY]: 'identity', [BR]: 'br', [GZIP]: 'gzip' }

/** Text types both the cache and the proxy compress by default. */
export const DEFAULT_COMPRESSIBLE_TYPES = ['text/*', 'application/json', 'application/javascript', 'application/xml',
  'image/svg+xml']

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

// Distinct Accept-Encoding values are few (one per browser family); remember the choice for each, bounded.
const MAX_REMEMBERED = 100

/**
 * Picks the coding a client accepts best among `offered` (highest q wins, ties go to the earlier in `offered`);
 * IDENTITY when none is acceptable (q=0 refuses a coding, `*` covers the ones not named).
 */
export class EncodingChooser {
  readonly #offered: readonly Encoding[]
  readonly #chosen = new Map<string, Encoding>()

  constructor (offered: readonly Encoding[]) {
    this.#offered = offered
  }

  pick (accept: string | string[] | undefined): Encoding {
    if (accept === undefined || this.#offered.length === 0) return IDENTITY
    const text = Array.isArray(accept) ? accept.join(',') : accept
    const known = this.#chosen.get(text)
    if (known !== undefined) return known
    const result = this.#choose(parseAccept(text))
    if (this.#chosen.size >= MAX_REMEMBERED) this.#chosen.delete(this.#chosen.keys().next().value as string)
    this.#chosen.set(text, result)
    return result
  }

  #choose (q: AcceptQ): Encoding {
    let best: Encoding = IDENTITY
    let bestQ = 0
    for (const e of this.#offered) {
      const v = e === BR ? q.br : q.gzip
      const eff = v === -1 ? q.star : v
      if (eff > bestQ) { best = e; bestQ = eff }
    }
    return best
  }
}

interface AcceptQ { br: number, gzip: number, star: number }

function parseAccept (text: string): AcceptQ {
  const out: AcceptQ = { br: -1, gzip: -1, star: -1 }
  for (const part of text.split(',')) {
    const [rawName, ...params] = part.split(';')
    const name = rawName.trim().toLowerCase()
    let q = 1
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p)
      if (m !== null) q = Number(m[1])
    }
    if (name === 'br') out.br = q
    else if (name === 'gzip' || name === 'x-gzip') out.gzip = q
    else if (name === '*') out.star = q
  }
  return out
}

/** A Vary value that names Accept-Encoding: the response differs by it once any coding may be chosen. */
export function varyWithAcceptEncoding (v: string | string[] | undefined): string {
  if (v === undefined) return 'Accept-Encoding'
  const text = Array.isArray(v) ? v.join(', ') : v
  if (text.trim() === '') return 'Accept-Encoding'
  return text.trim() === '*' || /accept-encoding/i.test(text) ? text : `${text}, Accept-Encoding`
}

/**
 * The ETag of a content-coded variant (br, gzip) of a representation: a strong ETag made weak, since the variant's
 * bytes differ from the identity representation's (RFC 9110 §8.8.1); a weak one stays as it is. If-None-Match
 * compares weakly (RFC 9110 §13.1.2), so a client sending either form back still gets a 304.
 */
export function weakenEtag (etag: string): string {
  return etag.startsWith('"') ? `W/${etag}` : etag
}
