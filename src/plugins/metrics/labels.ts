// Label values come from request data or plugin state; each is bounded here so no client (10,000 distinct paths,
// made-up methods) and no misbehaving plugin can grow the number of Prometheus series without limit. Values are
// turned into small integer indexes once, so the per-request bookkeeping works on arrays and integer keys.

export const OTHER = 'other'
export const NONE = 'none'

/** The standard methods plus PURGE (which the cache answers); anything else is OTHER. */
export const METHOD_LABELS = [
  'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PURGE', 'CONNECT', 'TRACE', 'OTHER'
] as const
const METHOD_INDEX: Readonly<Record<string, number>> = Object.fromEntries(METHOD_LABELS.map((m, i) => [m, i]))
const METHOD_OTHER = METHOD_LABELS.length - 1

export function methodIndex (method: string): number {
  return METHOD_INDEX[method] ?? METHOD_OTHER
}

export const STATUS_CLASS_LABELS = ['1xx', '2xx', '3xx', '4xx', '5xx', OTHER] as const

export function statusClassIndex (status: number): number {
  const i = Math.floor(status / 100) - 1
  return i >= 0 && i < 5 ? i : 5
}

/**
 * Gives each of the first `max` distinct values its own index and every later value the index of `other`.
 * Not an LRU on purpose: a label that flipped between a name and `other` would split one series into two halves.
 */
export class LabelIndex {
  readonly #index = new Map<string, number>()
  readonly names: string[] = []
  readonly #max: number
  readonly otherIndex: number

  constructor (max: number, preset: readonly string[] = []) {
    for (const v of preset) this.#add(v)
    this.otherIndex = this.#add(OTHER)
    this.#max = max + this.names.length
  }

  index (value: string): number {
    const i = this.#index.get(value)
    if (i !== undefined) return i
    return this.names.length >= this.#max ? this.otherIndex : this.#add(value)
  }

  get size (): number {
    return this.names.length
  }

  #add (value: string): number {
    const existing = this.#index.get(value)
    if (existing !== undefined) return existing
    this.#index.set(value, this.names.length)
    this.names.push(value)
    return this.names.length - 1
  }
}

/** Cache outcomes the cache plugin reports (`request.sidecar.cache`). */
export const CACHE_OUTCOMES = ['HIT', 'MISS', 'STALE', 'BYPASS', 'REVALIDATED', 'EXPIRED', 'UPDATING'] as const
// Served from the cache (REVALIDATED: the body came from the cache after a cheap 304 from the origin).
const HITS = new Set(['HIT', 'STALE', 'REVALIDATED', 'UPDATING'])

export function isCacheHit (outcome: string): boolean {
  return HITS.has(outcome)
}
