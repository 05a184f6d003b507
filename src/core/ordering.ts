// Puts named parts (proxy hooks, upstream interceptors) in the order their declarations ask for, instead of the
// order plugins happened to register in. Ties keep registration order, so the result is deterministic; names a
// part refers to but nobody registered (a plugin that is off) are ignored.
import { SIPUP_ERR_PLUGIN_ORDER } from '../errors.js'

export interface OrderConstraints {
  /** Unique name of this part, e.g. the plugin's (`cache`, `rate-limit`). */
  readonly name: string
  /** Names of parts this one must come before. */
  readonly before?: readonly string[]
  /** Names of parts this one must come after. */
  readonly after?: readonly string[]
}

export interface Ordered<T> extends OrderConstraints {
  readonly value: T
}

/** Kahn's algorithm over the declared edges, lowest registration index first among the ready parts. */
export function resolveOrder<T> (what: string, parts: readonly Ordered<T>[]): Ordered<T>[] {
  const index = new Map<string, number>()
  parts.forEach((p, i) => {
    if (index.has(p.name)) throw new SIPUP_ERR_PLUGIN_ORDER(what, `two parts are named '${p.name}'`)
    index.set(p.name, i)
  })
  const next: number[][] = parts.map(() => [])
  const incoming = parts.map(() => 0)
  const edge = (from: number, to: number): void => {
    next[from].push(to)
    incoming[to]++
  }
  parts.forEach((p, i) => {
    for (const n of p.before ?? []) {
      const j = index.get(n)
      if (j !== undefined) edge(i, j)
    }
    for (const n of p.after ?? []) {
      const j = index.get(n)
      if (j !== undefined) edge(j, i)
    }
  })
  const ready: number[] = []
  incoming.forEach((n, i) => { if (n === 0) ready.push(i) })
  const out: Ordered<T>[] = []
  while (ready.length > 0) {
    ready.sort((a, b) => a - b)
    const i = ready.shift() as number
    out.push(parts[i])
    for (const j of next[i]) if (--incoming[j] === 0) ready.push(j)
  }
  if (out.length !== parts.length) {
    const stuck = parts.filter((_, i) => incoming[i] > 0).map(p => p.name)
    throw new SIPUP_ERR_PLUGIN_ORDER(what, `the before/after declarations of ${stuck.join(', ')} form a circle`)
  }
  return out
}
