// Memory L1 in front of Redis L2. Purges go to L2 first, then are broadcast over Redis pub/sub so every instance
// drops its L1 copies (an instance that refills from L2 after the broadcast can only find the new value).
import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import type { RedisClient } from '../../core/types.js'
import type { MemoryStore } from './memory-store.js'
import type { RedisStore } from './redis-store.js'
import { purgeRegexOrNull } from './purge-regex.js'
import type { CacheEntry, CacheStore, MaybePromise, PurgeSelector } from './types.js'

export interface TieredStoreOptions {
  l1: MemoryStore
  l2: RedisStore
  /** False while Redis is down: L2 is skipped without a round trip. */
  l2Ready: () => boolean
  /** Publishing connection (the shared one). */
  publisher: () => RedisClient | null
  /** A dedicated connection for SUBSCRIBE (null: no broadcast, e.g. Redis disabled). */
  subscriber: RedisClient | null
  channel: string
  onError?: (err: Error) => void
}

interface PurgeMessage { from: string, selector: PurgeSelector }

export class TieredStore extends EventEmitter implements CacheStore {
  readonly name = 'tiered'
  readonly id = randomUUID()
  #opts: TieredStoreOptions
  #l1: MemoryStore
  #l2: RedisStore
  #subscribed: Promise<void> = Promise.resolve()
  /** Counts purges started here or received: an L2 read that a purge overtook must not refill L1. */
  #purges = 0

  constructor (opts: TieredStoreOptions) {
    super()
    this.#opts = opts
    this.#l1 = opts.l1
    this.#l2 = opts.l2
    this.#l1.on('evict', (entry: CacheEntry, reason: string) => this.emit('evict', entry, reason))
    const sub = opts.subscriber
    if (sub !== null) {
      sub.on('message', (channel: string, text: string) => {
        if (channel === opts.channel) this.#onMessage(text)
      })
      this.#subscribed = sub.subscribe(opts.channel).then(() => {}, (err: Error) => opts.onError?.(err))
    }
  }

  get size (): { bytes: number, entries: number } { return this.#l1.size }
  get maxObjectSize (): number { return Math.min(this.#l1.maxObjectSize, this.#l2.maxObjectSize) }

  /** Resolves once the broadcast subscription is active (tests wait for it before purging elsewhere). */
  async ready (): Promise<void> { await this.#subscribed }

  get (key: string): MaybePromise<CacheEntry | undefined> {
    const hit = this.#l1.get(key)
    if (hit !== undefined || !this.#opts.l2Ready()) return hit
    const purges = this.#purges
    return this.#l2.get(key).then(entry => {
      if (entry !== undefined && purges === this.#purges) this.#l1.set(entry)
      return entry
    })
  }

  set (entry: CacheEntry): MaybePromise<void> {
    this.#l1.set(entry)
    if (!this.#opts.l2Ready()) return
    return this.#l2.set(entry)
  }

  async purge (selector: PurgeSelector): Promise<number> {
    this.#purges++
    const local = this.#l1.purge(selector)
    if (!this.#opts.l2Ready()) return local
    const remote = await this.#l2.purge(selector)
    const pub = this.#opts.publisher()
    if (pub !== null) {
      const msg: PurgeMessage = { from: this.id, selector }
      try { await pub.publish(this.#opts.channel, JSON.stringify(msg)) } catch (err) { this.#opts.onError?.(err as Error) }
    }
    // Drop what a concurrent request refilled from L2 while the purge ran.
    this.#l1.purge(selector)
    return Math.max(local, remote)
  }

  #onMessage (text: string): void {
    let msg: PurgeMessage
    try { msg = JSON.parse(text) as PurgeMessage } catch { return }
    if (msg.from === this.id || typeof msg.selector !== 'object' || msg.selector === null) return
    this.#purges++
    const s = msg.selector
    if (s.kind === 'prefix' && typeof s.prefix === 'string') this.#l1.purge({ kind: 'prefix', prefix: s.prefix })
    else if (s.kind === 'tags' && Array.isArray(s.tags)) this.#l1.purge({ kind: 'tags', tags: s.tags.filter(t => typeof t === 'string') })
    else if (s.kind === 'regex') {
      // Checked again: anyone who can publish on the channel could otherwise hand every instance a stalling pattern.
      if (typeof s.source !== 'string' || purgeRegexOrNull(s.source) === null) return
      this.#l1.purge({ kind: 'regex', source: s.source })
    }
    // Another instance's purge: what this instance remembers beside the store (the coalescer's just-settled
    // entries) must be forgotten too, or it would answer from them.
    this.emit('remote-purge', s)
  }

  async prune (): Promise<void> { await this.#l2.prune() }

  close (): void { this.#l1.close() }
}
