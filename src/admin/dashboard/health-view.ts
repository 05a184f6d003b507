// Turns health checks and feature reports into the dashboard's traffic lights. Pure, so the colour rules are
// unit-tested without a server. Red means the site suffers (origin down); amber means a dependency is down but the
// sidecar degrades around it (Redis → per-instance memory); grey means not configured or switched off.
import type { FeatureReport, HealthResult } from '../../core/types.js'

export type Light = 'green' | 'amber' | 'red' | 'grey'

export interface HealthLight {
  name: string
  title: string
  light: Light
  /** Plain words: why it is not green, or how it runs. */
  reason: string
}

interface Component {
  name: string
  title: string
  checks: readonly string[]
  features: readonly string[]
  /** Colour of a failing check. */
  failing: Light
  /** Reason shown when nothing reports on it. */
  absent: string
}

const COMPONENTS: readonly Component[] = [
  {
    name: 'upstream', title: 'Upstream (origin)', checks: ['upstream'], features: ['upstream'],
    failing: 'red', absent: 'no health check registered'
  },
  { name: 'redis', title: 'Redis', checks: ['redis'], features: ['redis'], failing: 'amber', absent: 'not configured' },
  {
    name: 'mysql', title: 'MySQL', checks: ['mysql', 'db'], features: ['mysql', 'db'],
    failing: 'amber', absent: 'not configured (mysql.url is empty)'
  },
  {
    name: 'workers', title: 'Job workers', checks: ['jobs', 'workers'], features: ['jobs', 'workers'],
    failing: 'amber', absent: 'not enabled'
  }
]

function pick<T> (names: readonly string[], lookup: (name: string) => T | undefined): [string, T] | undefined {
  for (const n of names) {
    const v = lookup(n)
    if (v !== undefined) return [n, v]
  }
  return undefined
}

/** The four fixed components first, then any other health check a plugin registered. */
export function healthLights (checks: Readonly<Record<string, HealthResult>>,
  features: readonly FeatureReport[]): HealthLight[] {
  const used = new Set<string>()
  const out: HealthLight[] = []
  for (const c of COMPONENTS) {
    const check = pick(c.checks, n => checks[n])
    const feature = pick(c.features, n => features.find(f => f.name === n))?.[1]
    if (check !== undefined) used.add(check[0])
    out.push(lightOf(c, check?.[1], feature))
  }
  for (const [name, result] of Object.entries(checks)) {
    if (used.has(name)) continue
    const reason = result.ok ? 'ok' : result.reason ?? 'failing'
    out.push({ name, title: name, light: result.ok ? 'green' : 'red', reason })
  }
  return out
}

function lightOf (c: Component, check: HealthResult | undefined, feature: FeatureReport | undefined): HealthLight {
  const base = { name: c.name, title: c.title }
  if (check !== undefined && !check.ok) return { ...base, light: c.failing, reason: check.reason ?? 'failing' }
  if (feature?.state === 'degraded') return { ...base, light: 'amber', reason: feature.detail }
  if (check !== undefined) return { ...base, light: 'green', reason: feature?.detail ?? 'ok' }
  if (feature === undefined) return { ...base, light: 'grey', reason: c.absent }
  return { ...base, light: feature.state === 'on' ? 'green' : 'grey', reason: feature.detail }
}
