// Context-keyed caching: the origin's context endpoint tells, per session, which variant of a page the user
// sees (customer group, price list...). Its answer is remembered per session (bounded LRU, TTL) and asked at
// most once at a time per session.
import type { ContextResolve } from './metrics.js'

export interface ContextOptions {
  ttl: number
  maxSessions: number
  /** Asks the origin; resolves to the hash, or null when it can't be had (the request then bypasses). */
  fetch: (cookie: string, host: string) => Promise<string | null>
  /** Told how each hash was had (metrics). */
  onResolve?: (how: ContextResolve) => void
  now?: () => number
}

interface Known { hash: string, until: number }

export class ContextResolver {
  readonly #known = new Map<string, Known>()
  readonly #pending = new Map<string, Promise<string | null>>()
  readonly #opts: ContextOptions
  readonly #now: () => number

  constructor (opts: ContextOptions) {
    this.#opts = opts
    this.#now = opts.now ?? Date.now
  }

  /** `session` is a digest of the session id; `cookie` the request's Cookie header, forwarded to the endpoint. */
  resolve (session: string, cookie: string, host: string): string | Promise<string | null> {
    const known = this.#known.get(session)
    if (known !== undefined) {
      if (known.until > this.#now()) {
        this.#opts.onResolve?.('remembered')
        return known.hash
      }
      this.#known.delete(session)
    }
    let pending = this.#pending.get(session)
    if (pending !== undefined) {
      this.#opts.onResolve?.('joined')
    } else {
      this.#opts.onResolve?.('asked')
      pending = this.#opts.fetch(cookie, host).then(hash => {
        this.#pending.delete(session)
        if (hash !== null) this.#remember(session, hash)
        return hash
      }, () => {
        this.#pending.delete(session)
        return null
      })
      this.#pending.set(session, pending)
    }
    return pending
  }

  #remember (session: string, hash: string): void {
    if (this.#known.size >= this.#opts.maxSessions) this.#known.delete(this.#known.keys().next().value as string)
    this.#known.set(session, { hash, until: this.#now() + this.#opts.ttl })
  }

  get size (): number { return this.#known.size }
}
