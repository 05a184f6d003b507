// What the operator should do next, computed from the live numbers. Pure: thresholds are named constants, input is
// the per-route summaries of the last one to two minutes plus health, so each rule is unit-tested with plain data.
import type { FeatureReport, HealthResult } from '../../core/types.js'
import type { RouteSummary } from '../../plugins/metrics/route-stats.js'
import type { OriginGuardStatus } from '../../proxy/origin-guard/origin-guard.js'

/** Routes with fewer requests than this in the covered span say nothing reliable. */
export const MIN_REQUESTS = 30
/** A cached route below this hit ratio is worth a look. */
export const LOW_HIT_RATIO = 0.2
/** Share of origin 200s forbidding caching above which the origin's headers are the cause. */
export const ORIGIN_UNCACHEABLE_SHARE = 0.5
/** Upstream p95 above this (ms) points at slow PHP or SQL. */
export const SLOW_UPSTREAM_MS = 1000
/** Upstream error share above which the origin is failing. */
export const UPSTREAM_ERROR_SHARE = 0.01
/** Share of 429s above which the limits may be hurting real users. */
export const LIMITED_SHARE = 0.05
/** Most recommendations shown at once. */
export const MAX_RECOMMENDATIONS = 8

export type Severity = 'critical' | 'warning' | 'info'

export interface Recommendation {
  severity: Severity
  /** One line with the number that triggered it. */
  title: string
  /** What to do. */
  action: string
  route?: string
}

/** What a cache rule does with its route's pages, by rule name (the route label of requests it matched). */
export type RuleKind = 'bypass' | 'per-user' | 'context' | 'shared'

export interface RecommendationInput {
  routes: readonly RouteSummary[]
  total: RouteSummary
  health: Readonly<Record<string, HealthResult>>
  features: readonly FeatureReport[]
  /** A cache plugin is serving (its purge API exists). */
  cache: boolean
  /** DB suggestions are available (the DB advisor is on). */
  db: boolean
  /** Cache rules by name. A bypass or per-user rule's pages must never be proposed for sharing. */
  ruleKinds?: ReadonlyMap<string, RuleKind>
  /** Origin protection (`upstream.maxConcurrent`), or null/absent while it is off. */
  origin?: OriginGuardStatus | null
}

const ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 }

export function formatMs (ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`
}

export function formatPercent (ratio: number): string {
  return `${Math.round(ratio * 100)}%`
}

function feature (features: readonly FeatureReport[], name: string): FeatureReport | undefined {
  return features.find(f => f.name === name)
}

/** Routes named in the shedding recommendation: the ones sending the origin the most requests. */
export const SHED_TOP_ROUTES = 3

/** Shedding started: the origin is at its limit and visitors get stale copies or the busy page. */
export function originRecommendations (origin: OriginGuardStatus | null | undefined, routes: readonly RouteSummary[]): Recommendation[] {
  if (origin === null || origin === undefined) return []
  const shed = origin.shedQueueFull + origin.shedQueueTimeout
  if (shed === 0) return []
  const top = [...routes].filter(r => r.upstream > 0).sort((a, b) => b.upstream - a.upstream).slice(0, SHED_TOP_ROUTES)
  const why = [
    origin.shedQueueFull > 0 ? `${origin.shedQueueFull} queue full` : '',
    origin.shedQueueTimeout > 0 ? `${origin.shedQueueTimeout} waited too long` : ''
  ].filter(s => s !== '').join(', ')
  return [{
    severity: 'critical',
    title: `The origin is at its limit of ${origin.limit}: ${shed} requests shed in the last minute (${why})`,
    action: (top.length > 0
      ? `See which routes miss the cache: ${top.map(r => `${r.route} (${r.upstream} origin requests)`).join(', ')}; cache them where you can. `
      : 'See which routes miss the cache (the Uncached panel) and cache them where you can. ') +
      'If the PHP server has CPU and memory to spare, raise php-fpm\'s pm.max_children and upstream.maxConcurrent ' +
      'together; put checkouts and logged-in users in the high lane (upstream.lanes).'
  }]
}

export function recommend (input: RecommendationInput): Recommendation[] {
  const out: Recommendation[] = originRecommendations(input.origin, input.routes)
  const { total } = input

  const upstream = input.health.upstream
  if (upstream !== undefined && !upstream.ok) {
    out.push({
      severity: 'critical',
      title: `Origin not answering: ${upstream.reason ?? 'health check failing'}`,
      action: input.cache
        ? 'Check the PHP server; pages still in the cache are served (stale-if-error where a rule allows it).'
        : 'Check the PHP server and upstream.url; with the cache on, cached pages would still be served.'
    })
  }

  const redis = input.health.redis
  const redisFeature = feature(input.features, 'redis')
  if ((redis !== undefined && !redis.ok) || redisFeature?.state === 'degraded') {
    out.push({
      severity: 'warning',
      title: `Redis unreachable${redis?.reason === undefined ? '' : `: ${redis.reason}`}`,
      action: 'Rate limits are per instance and the cache is local until Redis answers; check redis.url and the ' +
        'Redis server.'
    })
  }

  if (total.upstream >= MIN_REQUESTS && total.upstreamErrors / total.upstream >= UPSTREAM_ERROR_SHARE) {
    out.push({
      severity: 'critical',
      title: `${total.upstreamErrors} origin errors ` +
        `(${formatPercent(total.upstreamErrors / total.upstream)} of origin requests)`,
      action: 'The origin refuses or times out: check php-fpm (pm.max_children), upstream.connections and ' +
        'upstream.responseTimeout.'
    })
  }

  if (total.requests >= MIN_REQUESTS && total.limited / total.requests >= LIMITED_SHARE) {
    out.push({
      severity: 'info',
      title: `${formatPercent(total.limited / total.requests)} of requests were rate limited (429)`,
      action: 'If real visitors are affected, raise the limit or set the tier to dryRun to measure it first.'
    })
  }

  if (!input.cache && total.upstream >= MIN_REQUESTS && total.originResponses > 0) {
    out.push({
      severity: 'info',
      title: `Cache off: every request reaches the origin (${total.rps.toFixed(1)} req/s)`,
      action: 'Enable cache: and add rules for anonymous pages (catalog, product pages).'
    })
  }

  const byTraffic = [...input.routes].sort((a, b) => b.requests - a.requests)
  for (const r of byTraffic) {
    const kind = input.ruleKinds?.get(r.route)
    // A bypass rule's 0 % is what it is for; a per-user or context rule keeps pages apart on purpose. Proposing
    // `override: true` there (or any sharing) would hand logged-in pages to other visitors.
    if (kind === 'bypass') {
      // nothing to say about its hit ratio
    } else if (input.cache && (kind === 'per-user' || kind === 'context') && r.lookups >= MIN_REQUESTS &&
      r.hitRatio !== null && r.hitRatio < LOW_HIT_RATIO) {
      out.push({
        severity: 'info',
        route: r.route,
        title: `Hit ratio ${formatPercent(r.hitRatio)} on ${r.route} (scope: ${kind})`,
        action: kind === 'per-user'
          ? 'Per-user entries hit only when the same user comes back within the rule\'s ttl: raise the ttl if the ' +
            'page may be that old. Keep the scope: these pages show one user\'s data.'
          : 'Context entries are keyed on the context hash: check that the context endpoint answers the same hash for ' +
            'users who see the same page, and the rule\'s ttl.'
      })
    } else if (input.cache && r.lookups >= MIN_REQUESTS && r.hitRatio !== null && r.hitRatio < LOW_HIT_RATIO) {
      const uncacheable = r.originResponses > 0 &&
        r.originUncacheable / r.originResponses >= ORIGIN_UNCACHEABLE_SHARE
      out.push(uncacheable
        ? {
            severity: 'warning',
            route: r.route,
            title: `Hit ratio ${formatPercent(r.hitRatio)} on ${r.route}: the origin sends no-store/no-cache/private`,
            action: `Add a cache rule for ${r.route} with override: true and a ttl ` +
              '(anonymousOnly: true if the page has sessions).'
          }
        : {
            severity: 'info',
            route: r.route,
            title: `Hit ratio ${formatPercent(r.hitRatio)} on ${r.route}`,
            action: 'Check the rule\'s ttl, its Vary (cookies, headers) and the bypass conditions; query strings ' +
              'may split the key.'
          })
    }
    if (r.upstream >= MIN_REQUESTS && r.upstreamP95 >= SLOW_UPSTREAM_MS) {
      out.push({
        severity: 'warning',
        route: r.route,
        title: `Upstream p95 ${formatMs(r.upstreamP95)} on ${r.route}`,
        action: input.db
          ? 'See the DB suggestions panel for the slow queries behind it' + (input.cache ? ', or cache the page.' : '.')
          : 'Set mysql.url to get DB suggestions for the slow queries behind it' +
            (input.cache ? ', or cache the page.' : '.')
      })
    }
  }

  return out.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]).slice(0, MAX_RECOMMENDATIONS)
}
