// The cache's metrics on the shared registry. Children for every (outcome, rule) pair are bound once, so a
// lookup only increments a counter it already holds.
import { Counter, Gauge, type Registry } from 'prom-client'
import type { CacheStore } from './types.js'

export const OUTCOMES = ['HIT', 'MISS', 'STALE', 'BYPASS', 'REVALIDATED'] as const
export type Outcome = typeof OUTCOMES[number]

type Child = ReturnType<Counter<'outcome' | 'rule'>['labels']>

export class CacheMetrics {
  readonly #byRule: Record<Outcome, Child>[]
  readonly evictions: Counter<'reason'>
  readonly coalesced: Counter
  readonly staleServed: Counter<'reason'>
  readonly purged: Counter<'via'>

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
  }

  lookup (ruleIndex: number, outcome: Outcome): void {
    this.#byRule[ruleIndex][outcome].inc()
  }
}
