// The rule and the key base of recent request targets (issue 18). When no rule reads cookies (the runtime's
// cookiesNeeded is false), the rule a GET/HEAD matches and the key up to its vary headers depend on the method, the
// target, the scheme and the key host only: rules are compiled once and never change, and the query normalizer is a
// pure function. A hit on a remembered target skips originPath, the rule scan and building the key, and hands the
// store the same key string as last time, whose hash V8 keeps, instead of hashing a freshly built one.
import type { CompiledRule } from './rules.js'

/** Targets remembered; the oldest goes first when full (a FIFO, as fastify/lib/content-type-parser.js bounds its cache). */
export const ROUTE_MEMO_SIZE = 1024

export class RouteMemoEntry {
  readonly method: string
  readonly scheme: string
  readonly host: string
  readonly rule: CompiledRule | null
  /** urlKey + the rule's keyPart ('' for a bypass rule, which is never looked up). */
  readonly key: string

  constructor (method: string, scheme: string, host: string, rule: CompiledRule | null, key: string) {
    this.method = method
    this.scheme = scheme
    this.host = host
    this.rule = rule
    this.key = key
  }
}

export class RouteMemo {
  readonly #entries = new Map<string, RouteMemoEntry>()
  readonly #max: number

  constructor (max = ROUTE_MEMO_SIZE) {
    this.#max = max
  }

  /** The entry for `url` if it was made for this method, scheme and host. */
  get (url: string, method: string, scheme: string, host: string): RouteMemoEntry | null {
    const e = this.#entries.get(url)
    return e !== undefined && e.method === method && e.host === host && e.scheme === scheme ? e : null
  }

  set (url: string, entry: RouteMemoEntry): void {
    const entries = this.#entries
    if (!entries.has(url) && entries.size >= this.#max) entries.delete(entries.keys().next().value as string)
    entries.set(url, entry)
  }

  get size (): number {
    return this.#entries.size
  }
}
