// The dashboard's slower-moving half (refreshed every few seconds): health lights, top routes, recommendations.
import type { FeatureReport, HealthResult } from '../../core/types.js'
import type { RouteSummaries, RouteSummary } from '../../plugins/metrics/route-stats.js'
import type { OriginGuardStatus } from '../../proxy/origin-guard/origin-guard.js'
import { healthLights, type HealthLight } from './health-view.js'
import { ruleName } from '../../plugins/cache/rules.js'
import { originRecommendations, recommend, type Recommendation, type RuleKind } from './recommendations.js'
import type { Panels } from './panels.js'
import { certificateLights, type CertificateView } from './certificate-view.js'

export const TOP_ROUTES = 10

export interface Overview {
  /** ms since epoch. */
  generatedAt: number
  features: readonly FeatureReport[]
  health: HealthLight[]
  /** Figures of the last one to two minutes (the whole node: `workers` lists the processes counted and their
   * requests); null while metrics are off. */
  traffic: {
    seconds: number, total: RouteSummary, slow: RouteSummary[], uncached: RouteSummary[], workers: RouteSummaries['workers']
  } | null
  recommendations: Recommendation[]
  /** Origin protection now (limit, at the origin, queued, shed in the last minute); null while it is off. */
  origin: OriginGuardStatus | null
  /** The certificates server.tls serves, days left and warning state (also among the health lights); null without TLS. */
  certificates: CertificateView[] | null
}

interface CacheRuleLike { name: string, bypass?: boolean, scope?: string }

/** What each cache rule does, by name, read once from the whole config (the cache section may be absent). */
export function cacheRuleKinds (config: unknown): ReadonlyMap<string, RuleKind> {
  const kinds = new Map<string, RuleKind>()
  const rules = (config as { cache?: { rules?: readonly CacheRuleLike[] } }).cache?.rules ?? []
  rules.forEach((r, i) => {
    kinds.set(ruleName(r, i), r.bypass === true
      ? 'bypass'
      : r.scope === 'per-user' ? 'per-user' : r.scope === 'context' ? 'context' : 'shared')
  })
  return kinds
}

export function buildOverview (summaries: RouteSummaries | null, checks: Readonly<Record<string, HealthResult>>,
  features: readonly FeatureReport[], panels: Panels, now = Date.now(),
  ruleKinds: ReadonlyMap<string, RuleKind> = new Map(), origin: OriginGuardStatus | null = null,
  certificates: CertificateView[] | null = null): Overview {
  const routes = summaries?.routes ?? []
  const slow = routes.filter(r => r.requests > 0).sort((a, b) => b.p95 - a.p95).slice(0, TOP_ROUTES)
  // "Uncached": what still costs the origin work, biggest load first.
  const uncached = routes.filter(r => r.upstream > 0).sort((a, b) => b.upstream - a.upstream).slice(0, TOP_ROUTES)
  return {
    generatedAt: now,
    features,
    health: certificates === null ? healthLights(checks, features) : [...healthLights(checks, features), ...certificateLights(certificates)],
    traffic: summaries === null ? null : { seconds: summaries.seconds, total: summaries.total, slow, uncached, workers: summaries.workers },
    origin,
    certificates,
    // Shedding is news even while metrics are off: the guard counts it itself.
    recommendations: summaries === null
      ? originRecommendations(origin, [])
      : recommend({
        routes, total: summaries.total, health: checks, features, cache: panels.cache.available, db: panels.db.available,
        ruleKinds, origin
      })
  }
}
