// The limiter's metrics on the shared registry. Decisions are counted in a plain array on the hot path and handed
// to prom-client when the registry is collected (a scrape): prom-client hashes the label set on every inc(), even
// through a bound child, and that cost belongs to the scrape, not to each request.
import { Counter, Gauge, type Registry } from 'prom-client'
import type { Outcome } from './types.js'

const OUTCOMES: readonly Outcome[] = ['allowed', 'limited', 'dry_run_would_limit', 'banned', 'denied', 'allowlisted', 'unavailable']
const OUTCOME_INDEX = Object.fromEntries(OUTCOMES.map((o, i) => [o, i])) as Record<Outcome, number>
/** Pseudo-tiers for decisions not made by a limit: lists, bans, the store being down. */
export const LIST_TIER = 'list'
export const BAN_TIER = 'ban'
export const STORE_TIER = 'store'

export class RateLimitMetrics {
  #tiers: readonly string[]
  #tierIndex: Map<string, number>
  #pending: Float64Array
  readonly storeErrors: Counter
  readonly #degraded: Gauge

  constructor (registry: Registry, tierNames: readonly string[]) {
    this.#tiers = [...tierNames, LIST_TIER, BAN_TIER, STORE_TIER]
    this.#tierIndex = new Map(this.#tiers.map((t, i) => [t, i]))
    this.#pending = new Float64Array(this.#tiers.length * OUTCOMES.length)
    const self = this
    new Counter({ // eslint-disable-line no-new
      name: 'sipup_rate_limit_decisions_total',
      help: 'Rate-limit decisions by tier (ip, user, a rule name; list, ban, store for the others) and outcome ' +
        '(allowed, limited, dry_run_would_limit, banned, denied, allowlisted, unavailable).',
      labelNames: ['tier', 'outcome'] as const,
      registers: [registry],
      collect () {
        const pending = self.#pending
        const tiers = self.#tiers
        for (let i = 0; i < pending.length; i++) {
          if (pending[i] === 0) continue
          this.inc({ tier: tiers[Math.floor(i / OUTCOMES.length)], outcome: OUTCOMES[i % OUTCOMES.length] }, pending[i])
          pending[i] = 0
        }
      }
    })
    this.storeErrors = new Counter({
      name: 'sipup_rate_limit_store_errors_total',
      help: 'Times the shared (Redis) store failed or was unreachable and the limiter switched to its fallback.',
      registers: [registry]
    })
    this.#degraded = new Gauge({
      name: 'sipup_rate_limit_degraded',
      help: '1 while the shared (Redis) store is unreachable and limits are per instance (or 503 when fail closed).',
      registers: [registry]
    })
  }

  /** Adds tiers known only once the app is assembled (route groups); call before the first request. */
  addTiers (names: readonly string[]): void {
    const fresh = names.filter(n => !this.#tierIndex.has(n))
    if (fresh.length === 0) return
    const pending = new Float64Array((this.#tiers.length + fresh.length) * OUTCOMES.length)
    pending.set(this.#pending)
    this.#tiers = [...this.#tiers, ...fresh]
    this.#tierIndex = new Map(this.#tiers.map((t, i) => [t, i]))
    this.#pending = pending
  }

  count (tier: string, outcome: Outcome): void {
    const t = this.#tierIndex.get(tier)
    if (t !== undefined) this.#pending[t * OUTCOMES.length + OUTCOME_INDEX[outcome]]++
  }

  degraded (on: boolean): void {
    this.#degraded.set(on ? 1 : 0)
  }
}
