// The cache's metrics on the shared registry. Children for every (outcome, rule) pair are bound once, so a
// lookup only increments a counter it already holds.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { CacheStore } from './types.js'

export const OUTCOMES = ['HIT', 'MISS', 'STALE', 'BYPASS', 'REVALIDATED'] as const
export type Outcome = typeof OUTCOMES[number]

type Child = ReturnType<Counter<'outcome' | 'rule'>['labels']>

/** How a `scope: context` request got its session's hash: remembered, joined a lookup in flight, or asked. */
export const CONTEXT_RESOLVES = ['remembered', 'joined', 'asked'] as const
export type ContextResolve = typeof CONTEXT_RESOLVES[number]
/** How a context endpoint request ended: a hash, shed by origin protection, timed out, a non-200 or no header
 * (`status`), or another failure. Every outcome but `ok` makes the requests that waited for it bypass. */
export const CONTEXT_FETCHES = ['ok', 'shed', 'timeout', 'status', 'error'] as const
export type ContextFetch = typeof CONTEXT_FETCHES[number]

export class CacheMetrics {
  readonly #byRule: Record<Outcome, Child>[]
  readonly evictions: Counter<'reason'>
  readonly coalesced: Counter
  readonly staleServed: Counter<'reason'>
  readonly purged: Counter<'via'>
  readonly #resolves: Record<ContextResolve, ReturnType<Counter<'result'>['labels']>>
  readonly #fetches: Record<ContextFetch, ReturnType<Histogram<'outcome'>['labels']>>

  /** `ruleNames` in rule order; the last slot is for requests that matched no rule ('default'). */
  constructor (registry: Registry, ruleNames: readonly string[], store: CacheStore) {
    const lookups = new Counter({
      name: 'sipup_cache_lookups_total',
      help: 'Cache lookups by outcome (HIT, MISS, STALE, BYPASS, REVALIDATED) and rule (default = no rule).',
      labelNames: ['outcome', 'rule'] as const,
      registers: [registry]
    })
    this.#byRule = [...ruleNames, 'default'].map(rule => {
      const children = {} as Record<Outcome, Child>
      for (const o of OUTCOMES) children[o] = lookups.labels(o, rule)
      return children
    })
    new Gauge({ // eslint-disable-line no-new
      name: 'sipup_cache_stored_bytes',
      help: 'Bytes held by the in-process cache store (bodies, compressed copies, headers).',
      registers: [registry],
      collect () { this.set(store.size?.bytes ?? 0) }
    })
    new Gauge({ // eslint-disable-line no-new
      name: 'sipup_cache_entries',
      help: 'Entries held by the in-process cache store.',
      registers: [registry],
      collect () { this.set(store.size?.entries ?? 0) }
    })
    this.evictions = new Counter({
      name: 'sipup_cache_evictions_total',
      help: 'Entries dropped from the in-process store, by reason (lru, expired, purge).',
      labelNames: ['reason'] as const,
      registers: [registry]
    })
    this.coalesced = new Counter({
      name: 'sipup_cache_coalesced_waiters_total',
      help: 'Requests that waited for another request\'s origin response instead of going to the origin.',
      registers: [registry]
    })
    this.staleServed = new Counter({
      name: 'sipup_cache_stale_served_total',
      help: 'Stale responses served, by reason (revalidate = stale-while-revalidate or grace, error = stale-if-error, ' +
        'overload = the origin was at upstream.maxConcurrent and the request was shed).',
      labelNames: ['reason'] as const,
      registers: [registry]
    })
    this.purged = new Counter({
      name: 'sipup_cache_purges_total',
      help: 'Purge operations, by what asked for them (api, method, invalidation, rule: cache.invalidate).',
      labelNames: ['via'] as const,
      registers: [registry]
    })
    const resolves = new Counter({
      name: 'sipup_cache_context_lookups_total',
      help: 'Context hashes needed by scope: context requests, by how they were had (remembered, joined = a lookup ' +
        'for the session was in flight, asked = a request to cache.context.endpoint).',
      labelNames: ['result'] as const,
      registers: [registry]
    })
    this.#resolves = Object.fromEntries(CONTEXT_RESOLVES.map(r => [r, resolves.labels(r)])) as Record<ContextResolve, ReturnType<Counter<'result'>['labels']>>
    const fetches = new Histogram({
      name: 'sipup_cache_context_fetch_seconds',
      help: 'Requests to cache.context.endpoint, by outcome (ok, shed = origin protection, timeout, status = no ' +
        'hash in a 200, error), from asking to the answer (waiting for an origin slot included).',
      labelNames: ['outcome'] as const,
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry]
    })
    this.#fetches = Object.fromEntries(CONTEXT_FETCHES.map(o => [o, fetches.labels(o)])) as Record<ContextFetch, ReturnType<Histogram<'outcome'>['labels']>>
  }

  contextResolved (how: ContextResolve): void {
    this.#resolves[how].inc()
  }

  contextFetched (outcome: ContextFetch, seconds: number): void {
    this.#fetches[outcome].observe(seconds)
  }

  lookup (ruleIndex: number, outcome: Outcome): void {
    this.#byRule[ruleIndex][outcome].inc()
  }
}
