// A Map with a size cap for state keyed on client data (IPs, users): a flood of new keys costs bounded memory.
// Writes update in place (no delete + re-insert: that churn made a 100k-entry Map's lookups ~30 % slower); when
// full, the oldest entry goes, except that an entry still live (its `expiry` in the future) gets a second chance
// at the back of the queue, so a flood of one-off keys pushes out stale counters before active ones.
// The insertion order lives in a ring of keys beside the Map, not in the Map's own order: finding a Map's oldest
// entry after many deletes at its front walks every deleted slot V8 keeps until its next rehash (measured: ~100 µs
// per eviction at 100k keys, at every new client once the store is full); the ring's tail is one array read.
interface Entry<V> { value: V, slot: number }

export class BoundedMap<V> {
  readonly #max: number
  readonly #map = new Map<string, Entry<V>>()
  readonly #expiry: ((value: V) => number) | null
  /** Keys in insertion order, oldest at `#tail`; a slot whose key was deleted or moved is stale (skipped). */
  readonly #ring: (string | undefined)[]
  #tail = 0
  #used = 0

  /** How many live entries are looked past, at most, before the oldest is dropped anyway. */
  static readonly SECOND_CHANCES = 8

  constructor (max: number, expiry: ((value: V) => number) | null = null) {
    this.#max = max
    this.#expiry = expiry
    // Grown as keys arrive (nothing pops before it is full), so a large cap costs nothing until it is used.
    this.#ring = []
  }

  get size (): number {
    return this.#map.size
  }

  get (key: string): V | undefined {
    return this.#map.get(key)?.value
  }

  /** The entry of `key`, whose `value` may be written in place (an update without a second lookup), or undefined. */
  entry (key: string): { value: V } | undefined {
    return this.#map.get(key)
  }

  set (key: string, value: V, now = 0): void {
    const e = this.#map.get(key)
    if (e !== undefined) {
      e.value = value
      return
    }
    if (this.#used === this.#max) this.#makeRoom(now)
    this.#map.set(key, { value, slot: this.#push(key) })
  }

  delete (key: string): void {
    const e = this.#map.get(key)
    if (e === undefined) return
    this.#map.delete(key)
    // The ring keeps its slot; a full ring reclaims it as stale when it reaches the tail.
    this.#ring[e.slot] = undefined
  }

  /** Entries in insertion order (operator listings; not for the hot path). */
  * entries (): IterableIterator<[string, V]> {
    for (const [k, e] of this.#map) yield [k, e.value]
  }

  clear (): void {
    this.#map.clear()
    this.#ring.length = 0
    this.#tail = 0
    this.#used = 0
  }

  #push (key: string): number {
    const slot = (this.#tail + this.#used) % this.#max
    if (slot === this.#ring.length) this.#ring.push(key)
    else this.#ring[slot] = key
    this.#used++
    return slot
  }

  /** Pops the tail: null when its slot was stale. */
  #pop (): string | null {
    const key = this.#ring[this.#tail]
    this.#ring[this.#tail] = undefined
    this.#tail = (this.#tail + 1) % this.#max
    this.#used--
    return key ?? null
  }

  /** Frees one slot of a full ring: a stale slot if the tail has one, else the oldest expired entry within the
   * second chances, else the oldest. */
  #makeRoom (now: number): void {
    const map = this.#map
    const expiry = this.#expiry
    let chances = expiry === null ? 0 : BoundedMap.SECOND_CHANCES
    for (;;) {
      const key = this.#pop()
      if (key === null) return
      const e = map.get(key) as Entry<V>
      if (chances > 0 && expiry !== null && expiry(e.value) > now) {
        chances--
        e.slot = this.#push(key)
        continue
      }
      map.delete(key)
      return
    }
  }
}
