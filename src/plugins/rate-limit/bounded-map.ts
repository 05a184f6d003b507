// A Map with a size cap for state keyed on client data (IPs, users): a flood of new keys costs bounded memory.
// Writes update in place (no delete + re-insert: that churn made a 100k-entry Map's lookups ~30 % slower); when
// full, the oldest entry goes, except that an entry still live (its `expiry` in the future) gets a second chance
// at the back of the queue, so a flood of one-off keys pushes out stale counters before active ones.
export class BoundedMap<V> {
  readonly #max: number
  readonly #map = new Map<string, V>()
  readonly #expiry: ((value: V) => number) | null

  /** How many live entries are looked past, at most, before the oldest is dropped anyway. */
  static readonly SECOND_CHANCES = 8

  constructor (max: number, expiry: ((value: V) => number) | null = null) {
    this.#max = max
    this.#expiry = expiry
  }

  get size (): number {
    return this.#map.size
  }

  get (key: string): V | undefined {
    return this.#map.get(key)
  }

  set (key: string, value: V, now = 0): void {
    const map = this.#map
    if (map.size >= this.#max && !map.has(key)) this.#evict(now)
    map.set(key, value)
  }

  delete (key: string): void {
    this.#map.delete(key)
  }

  /** Entries, oldest first (operator listings; not for the hot path). */
  entries (): IterableIterator<[string, V]> {
    return this.#map.entries()
  }

  clear (): void {
    this.#map.clear()
  }

  #evict (now: number): void {
    const map = this.#map
    const expiry = this.#expiry
    for (let i = 0; i < BoundedMap.SECOND_CHANCES && expiry !== null; i++) {
      const [oldest, v] = map.entries().next().value as [string, V]
      map.delete(oldest)
      if (expiry(v) <= now) return
      map.set(oldest, v)
    }
    map.delete(map.keys().next().value as string)
  }
}
