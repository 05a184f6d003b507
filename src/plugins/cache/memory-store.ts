// In-process LRU store bounded by bytes. Map insertion order is the recency order: a hit re-inserts its key, unless
// its entry is the most recently inserted one already (the re-insert would change nothing, and a Map delete+set on
// every hit also makes the table shrink and rehash now and then).
import { EventEmitter } from 'node:events'
import { entrySize } from './entry-size.js'
import { keyUrl, purgeRegexOrNull } from './purge-regex.js'
import type { CacheEntry, CacheStore, PurgeSelector } from './types.js'

export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024
export const DEFAULT_MAX_OBJECT_SIZE = 4 * 1024 * 1024

export interface MemoryStoreOptions {
  /** @default 256 MB */
  maxBytes?: number
  /** Largest body stored. @default 4 MB */
  maxObjectSize?: number
  now?: () => number
}

interface Slot { entry: CacheEntry, size: number }

/** Emits `evict` (entry, reason: 'lru' | 'expired' | 'purge' | 'replaced'). */
export class MemoryStore extends EventEmitter implements CacheStore {
  readonly name = 'memory'
  readonly maxBytes: number
  readonly maxObjectSize: number
  #map = new Map<string, Slot>()
  #tags = new Map<string, Set<string>>()
  #bytes = 0
  /** The slot inserted last (the most recent in the Map's order), null when that one was removed. */
  #newest: Slot | null = null
  #now: () => number

  constructor (opts: MemoryStoreOptions = {}) {
    super()
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES
    this.maxObjectSize = opts.maxObjectSize ?? DEFAULT_MAX_OBJECT_SIZE
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < 1) {
      throw new TypeError(`expected opts.maxBytes to be a positive integer, got ${String(opts.maxBytes)}`)
    }
    this.#now = opts.now ?? Date.now
  }

  get size (): { bytes: number, entries: number } {
    return { bytes: this.#bytes, entries: this.#map.size }
  }

  get (key: string): CacheEntry | undefined {
    const slot = this.#map.get(key)
    if (slot === undefined) return undefined
    if (slot.entry.expiresAt <= this.#now()) {
      this.#remove(key, slot, 'expired')
      return undefined
    }
    if (slot !== this.#newest) {
      this.#map.delete(key)
      this.#map.set(key, slot)
      this.#newest = slot
    }
    return slot.entry
  }

  set (entry: CacheEntry): void {
    if (entry.body.length > this.maxObjectSize) return
    const size = entrySize(entry)
    if (size > this.maxBytes) return
    const old = this.#map.get(entry.key)
    if (old !== undefined) this.#remove(entry.key, old, 'replaced')
    const slot = { entry, size }
    this.#map.set(entry.key, slot)
    this.#newest = slot
    this.#bytes += size
    for (const t of entry.tags) {
      let set = this.#tags.get(t)
      if (set === undefined) this.#tags.set(t, set = new Set())
      set.add(entry.key)
    }
    this.#evict()
  }

  purge (selector: PurgeSelector): number {
    let n = 0
    if (selector.kind === 'prefix') {
      for (const [key, slot] of this.#map) {
        if (key.startsWith(selector.prefix)) { this.#remove(key, slot, 'purge'); n++ }
      }
      return n
    }
    if (selector.kind === 'regex') {
      const re = purgeRegexOrNull(selector.source)
      if (re === null) return 0
      for (const [key, slot] of this.#map) {
        if (re.test(keyUrl(key))) { this.#remove(key, slot, 'purge'); n++ }
      }
      return n
    }
    for (const tag of selector.tags) {
      const keys = this.#tags.get(tag)
      if (keys === undefined) continue
      for (const key of [...keys]) {
        const slot = this.#map.get(key)
        if (slot !== undefined) { this.#remove(key, slot, 'purge'); n++ }
      }
      this.#tags.delete(tag)
    }
    return n
  }

  close (): void {
    this.#map.clear()
    this.#newest = null
    this.#tags.clear()
    this.#bytes = 0
  }

  #evict (): void {
    if (this.#bytes <= this.maxBytes) return
    for (const [key, slot] of this.#map) {
      this.#remove(key, slot, 'lru')
      if (this.#bytes <= this.maxBytes) return
    }
  }

  #remove (key: string, slot: Slot, reason: string): void {
    this.#map.delete(key)
    if (slot === this.#newest) this.#newest = null
    this.#bytes -= slot.size
    for (const t of slot.entry.tags) {
      const set = this.#tags.get(t)
      if (set === undefined) continue
      set.delete(key)
      if (set.size === 0) this.#tags.delete(t)
    }
    this.emit('evict', slot.entry, reason)
  }
}
