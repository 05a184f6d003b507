// Byte accounting and binary (de)serialization of entries, shared by the memory and Redis stores.
import type { CacheEntry } from './types.js'

/** Fixed overhead per entry (objects, Map slot, header strings' bookkeeping), so tiny entries still count. */
const ENTRY_OVERHEAD = 512

export function entrySize (e: CacheEntry): number {
  let n = ENTRY_OVERHEAD + e.key.length * 2 + e.body.length + (e.br?.length ?? 0) + (e.gzip?.length ?? 0)
  for (const k in e.headers) {
    const v = e.headers[k]
    n += k.length * 2 + (Array.isArray(v) ? v.reduce((a, s) => a + s.length * 2 + 16, 0) : v.length * 2)
  }
  for (const t of e.tags) n += t.length * 2 + 64
  return n
}

/** A copy outside Node's shared 8 KB allocation pool, so evicting the entry really frees its memory. */
export function ownBuffer (b: Buffer): Buffer {
  if (b.length === 0) return EMPTY
  const out = Buffer.allocUnsafeSlow(b.length)
  b.copy(out)
  return out
}

export const EMPTY = Buffer.alloc(0)

type Meta = Omit<CacheEntry, 'body' | 'br' | 'gzip'> & { l: [number, number, number] }

/** `[u32 meta length][meta JSON][body][br][gzip]`: binary-safe, one Redis value per entry. */
export function serialize (e: CacheEntry): Buffer {
  const { body, br, gzip, ...rest } = e
  const meta: Meta = { ...rest, l: [body.length, br === null ? -1 : br.length, gzip === null ? -1 : gzip.length] }
  const json = Buffer.from(JSON.stringify(meta))
  const head = Buffer.allocUnsafe(4)
  head.writeUInt32BE(json.length, 0)
  return Buffer.concat([head, json, body, br ?? EMPTY, gzip ?? EMPTY])
}

export function deserialize (buf: Buffer): CacheEntry | undefined {
  if (buf.length < 4) return undefined
  const len = buf.readUInt32BE(0)
  if (4 + len > buf.length) return undefined
  const { l, ...meta } = JSON.parse(buf.subarray(4, 4 + len).toString()) as Meta
  let at = 4 + len
  const take = (n: number): Buffer | null => {
    if (n < 0) return null
    const out = ownBuffer(buf.subarray(at, at + n))
    at += n
    return out
  }
  const body = take(l[0]) ?? EMPTY
  const br = take(l[1])
  const gzip = take(l[2])
  if (at !== buf.length) return undefined
  return { ...meta, body, br, gzip }
}
