// The cache's metrics on the shared registry. Lookups are counted in a plain array on the hot path and handed to
// prom-client when the registry is collected (as the limiter's decisions are, src/plugins/rate-limit/metrics.ts):
// prom-client hashes and checks the label set on every inc(), even through a bound child.
import { Counter, Gauge, type Registry } from 'prom-client'
import type { CacheStore } from './types.js'

export const OUTCOMES = ['HIT', 'MISS', 'STALE', 'BYPASS', 'REVALIDATED'] as const
export type Outcome = typeof OUTCOMES[number]

const OUTCOME_INDEX: Readonly<Record<Outcome, number>> = { HIT: 0, MISS: 1, STALE: 2, BYPASS: 3, REVALIDATED: 4 }

export class CacheMetrics {
  /** Lookups not yet handed to the counter, by `ruleIndex * OUTCOMES.length + OUTCOME_INDEX[outcome]`. */
  readonly #pending: Float64Array
  readonly evictions: Counter<'reason'>
  readonly coalesced: Counter
  readonly staleServed: Counter<'reason'>
  readonly purged: Counter<'via'>

  /** `ruleNames` in rule order; the last slot is for requests that matched no rule ('default'). */
  constructor (registry: Registry, ruleNames: readonly string[], store: CacheStore) {
    const rules = [...ruleNames, 'default']
    const labels = rules.flatMap(rule => OUTCOMES.map(outcome => ({ outcome, rule })))
    const pending = new Float64Array(labels.length)
    this.#pending = pending
    new Counter({ // eslint-disable-line no-new
      name: 'sipup_cache_lookups_total',
      help: 'Cache lookups by outcome (HIT, MISS, STALE, BYPASS, REVALIDATED) and rule (default = no rule).',
      labelNames: ['outcome', 'rule'] as const,
      registers: [registry],
      collect () {
        for (let i = 0; i < pending.length; i++) {
          if (pending[i] === 0) continue
          this.inc(labels[i], pending[i])
          pending[i] = 0
        }
      }
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
    this.#pending[ruleIndex * OUTCOMES.length + OUTCOME_INDEX[outcome]]++
  }
}
