// A bounded memo of compressed bodies for identity bodies that repeat byte for byte: PHP pages that send no-store
// (so the cache never holds them) but are the same for every anonymous visitor. Compressing 20 KB at brotli q2 costs
// about as much CPU as proxying it; finding the same body here costs a sampled hash and one memcmp.
//
// Key: (length, coding, a hash of SAMPLES slices of SLICE bytes spread evenly over the body). The key only finds a
// candidate: a candidate is used only when its stored identity body is byte-identical to this one (Buffer.equals),
// so two bodies that differ anywhere (one byte in the middle, same length) never share compressed bytes. Two bodies
// with the same key take turns in the one slot (the newer replaces the older).
//
// Bounds: at most `entries` entries and `maxBytes` bytes (identity + compressed copies). Eviction is oldest first
// with a second chance for entries used since they were stored (a hit only sets a flag: no Map churn per hit).
//
// Storing costs two copies (about 5 µs for 20 KB), so bodies that never repeat are stored less: a key whose entries
// keep being replaced before any was used (a counter or a token in the middle of the page) is stored again only once
// in RETRY_EVERY times, and after COLD_AFTER stores without a single hit anywhere, only one body in RETRY_EVERY is.
// A hit ends both. Only what is stored changes, never what a lookup may return. The stored buffers are copies of exact size, never views that would keep a socket read buffer alive.
import type { Encoding } from '../../core/content-coding.js'

export interface MemoParams {
  readonly entries: number
  readonly maxBytes: number
}

/** Slices hashed per body, first at offset 0 and last ending at the body's last byte. */
const SAMPLES = 8
/** Bytes per slice (read as two 32-bit words). */
const SLICE = 8
/** Replacements of a never-used entry after which its key counts as churning. */
const CHURN_LIMIT = 2
/** Stores without a hit after which the memo counts as cold. */
const COLD_AFTER = 64
/** A churning key, or a cold memo, stores one body in this many. */
const RETRY_EVERY = 16

interface MemoEntry {
  readonly encoding: Encoding
  readonly body: Buffer
  readonly out: Buffer
  used: boolean
  /** Times this key's entry was replaced before it was used (see CHURN_LIMIT). */
  churn: number
}

/** FNV-1a-style 32-bit mix of a word into h. */
function mix (h: number, word: number): number {
  return Math.imul(h ^ word, 0x01000193)
}

/** The memo key of a body: length, coding and sampled slices. Exported for the collision tests. */
export function memoKey (encoding: Encoding, body: Buffer): number {
  const len = body.length
  let h = mix(mix(0x811c9dc5, len), encoding)
  if (len < SAMPLES * SLICE) {
    for (let i = 0; i < len; i++) h = mix(h, body[i])
    return h >>> 0
  }
  const step = Math.floor((len - SLICE) / (SAMPLES - 1))
  for (let s = 0; s < SAMPLES; s++) {
    const at = s === SAMPLES - 1 ? len - SLICE : s * step
    h = mix(mix(h, body.readInt32LE(at)), body.readInt32LE(at + 4))
  }
  return h >>> 0
}

function exactCopy (b: Buffer): Buffer {
  const c = Buffer.allocUnsafeSlow(b.length)
  b.copy(c)
  return c
}

export class CompressedMemo {
  readonly #entries: number
  readonly #maxBytes: number
  /** Insertion order: the oldest first (see the eviction rule above). */
  readonly #map = new Map<number, MemoEntry>()
  #bytes = 0
  /** Stores asked for since the last hit (see COLD_AFTER). */
  #setsSinceHit = 0

  constructor (params: MemoParams) {
    this.#entries = params.entries
    this.#maxBytes = params.maxBytes
  }

  /** Null when the memo is off (no entries or no bytes allowed), so the encoder tests one field. */
  static create (params: MemoParams): CompressedMemo | null {
    return params.entries > 0 && params.maxBytes > 0 ? new CompressedMemo(params) : null
  }

  get size (): number { return this.#map.size }
  get bytes (): number { return this.#bytes }

  /** The compressed bytes stored for a body byte-identical to `body` in this coding, else null. */
  get (encoding: Encoding, body: Buffer, key: number = memoKey(encoding, body)): Buffer | null {
    const e = this.#map.get(key)
    if (e === undefined || e.encoding !== encoding || !e.body.equals(body)) return null
    e.used = true
    this.#setsSinceHit = 0
    return e.out
  }

  /** Remembers `out` as `body` compressed in `encoding` (copies both); skipped when the pair alone is over the bound. */
  set (encoding: Encoding, body: Buffer, out: Buffer, key: number = memoKey(encoding, body)): void {
    const size = body.length + out.length
    if (size > this.#maxBytes) return
    const sets = ++this.#setsSinceHit
    if (sets > COLD_AFTER && sets % RETRY_EVERY !== 0) return
    const old = this.#map.get(key)
    let churn = 0
    if (old !== undefined) {
      churn = old.used ? 0 : old.churn + 1
      if (churn > CHURN_LIMIT && churn % RETRY_EVERY !== 0) {
        old.churn = churn
        return
      }
      this.#map.delete(key)
      this.#bytes -= old.body.length + old.out.length
    }
    while (this.#map.size > 0 && (this.#map.size >= this.#entries || this.#bytes + size > this.#maxBytes)) {
      const [k, e] = this.#map.entries().next().value as [number, MemoEntry]
      this.#map.delete(k)
      if (e.used) {
        e.used = false
        this.#map.set(k, e)
      } else {
        this.#bytes -= e.body.length + e.out.length
      }
    }
    this.#map.set(key, { encoding, body: exactCopy(body), out: exactCopy(out), used: false, churn })
    this.#bytes += size
  }
}
