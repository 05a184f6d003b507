// Per-route figures of the last one to two minutes for the dashboard's "top slow" and "top uncached" tables and for
// the recommendations. Two generations (current, previous) rotate every window, so a summary always covers at
// least one full window without keeping per-request data. The number of routes is bounded by the route label.
import { COARSE, LogHistogram } from './log-histogram.js'
import { isCacheHit } from './labels.js'

/** What the dashboard shows for one route (or for all of them: route `*`). */
export interface RouteSummary {
  route: string
  requests: number
  /** Requests per second over the covered span. */
  rps: number
  p50: number
  p95: number
  /** 5xx answers. */
  errors: number
  /** Requests with a cache outcome (the cache plugin looked them up). */
  lookups: number
  /** Hit ratio among lookups; null without lookups. */
  hitRatio: number | null
  /** Requests that reached the origin. */
  upstream: number
  upstreamP95: number
  upstreamErrors: number
  /** Origin responses to GET/HEAD that forbid shared caching (no-store, private, no-cache). */
  originUncacheable: number
  /** Origin responses to GET/HEAD seen by the uncacheable check. */
  originResponses: number
  limited: number
}

/** What the dashboard gets: one summary per route seen, route `*` for all of them, the span covered, and which
 * processes' figures are in (this one, or every worker of the node). */
export interface RouteSummaries {
  routes: RouteSummary[]
  total: RouteSummary
  seconds: number
  workers: { pid: number, requests: number }[]
}

/** One route's counts of one process (current and previous generation together), histograms as sparse buckets
 * (COARSE shape): what a worker sends the cluster primary, which adds the workers' exports up. */
export interface RouteRow {
  route: string
  requests: number
  errors: number
  lookups: number
  hits: number
  upstream: number
  upstreamErrors: number
  originUncacheable: number
  originResponses: number
  limited: number
  latency: number[]
  upstreamLatency: number[]
}

export interface RouteExport {
  pid: number
  seconds: number
  routes: RouteRow[]
}

// The counters a generation and an exported row both carry, added up the same way wherever they meet.
const COUNTS = ['requests', 'errors', 'lookups', 'hits', 'upstream', 'upstreamErrors', 'originUncacheable', 'originResponses', 'limited'] as const
type Counts = Record<typeof COUNTS[number], number>

class Generation {
  requests = 0
  errors = 0
  lookups = 0
  hits = 0
  upstream = 0
  upstreamErrors = 0
  originUncacheable = 0
  originResponses = 0
  limited = 0
  readonly latency = new LogHistogram(COARSE)
  readonly upstreamLatency = new LogHistogram(COARSE)

  toRow (route: string): RouteRow {
    return {
      route,
      requests: this.requests,
      errors: this.errors,
      lookups: this.lookups,
      hits: this.hits,
      upstream: this.upstream,
      upstreamErrors: this.upstreamErrors,
      originUncacheable: this.originUncacheable,
      originResponses: this.originResponses,
      limited: this.limited,
      latency: this.latency.toSparse(),
      upstreamLatency: this.upstreamLatency.toSparse()
    }
  }

  /** Another generation's counts and latencies (this process's own windows). */
  add (g: Generation): void {
    this.#addCounts(g)
    this.latency.add(g.latency)
    this.upstreamLatency.add(g.upstreamLatency)
  }

  /** A worker's exported row (under server.workers). */
  addRow (r: RouteRow): void {
    this.#addCounts(r)
    this.latency.addSparse(r.latency)
    this.upstreamLatency.addSparse(r.upstreamLatency)
  }

  #addCounts (c: Counts): void {
    for (const k of COUNTS) this[k] += c[k]
  }

  reset (): void {
    this.requests = this.errors = this.lookups = this.hits = this.upstream = this.upstreamErrors = 0
    this.originUncacheable = this.originResponses = this.limited = 0
    this.latency.reset()
    this.upstreamLatency.reset()
  }
}

class RouteEntry {
  cur = new Generation()
  prev = new Generation()
}

export interface RouteStatsOptions {
  /** Length of one generation, ms. @default 60_000 */
  windowMs?: number
  /** @default Date.now */
  now?: () => number
}

export class RouteStats {
  readonly #routes = new Map<string, RouteEntry>()
  readonly #windowMs: number
  readonly #now: () => number
  #windowStart: number
  #prevStart: number

  constructor (opts: RouteStatsOptions = {}) {
    this.#windowMs = opts.windowMs ?? 60_000
    this.#now = opts.now ?? Date.now
    this.#windowStart = this.#prevStart = this.#now()
  }

  /** `route` must already be bounded (the route label), so the map cannot grow without limit. `nowMs` is the
   * caller's clock reading (epoch ms), read once per request. */
  record (nowMs: number, route: string, durationMs: number, status: number, cache: string | null, upstreamMs: number,
    upstreamError: boolean): void {
    this.#rotateAt(nowMs)
    const g = this.#entry(route).cur
    g.requests++
    g.latency.record(durationMs)
    if (status >= 500) g.errors++
    if (status === 429) g.limited++
    if (cache !== null) {
      g.lookups++
      if (isCacheHit(cache)) g.hits++
    }
    if (upstreamMs >= 0) {
      g.upstream++
      g.upstreamLatency.record(upstreamMs)
    }
    if (upstreamError) g.upstreamErrors++
  }

  /** Notes whether an origin response to a GET/HEAD allowed shared caching. */
  recordOrigin (route: string, uncacheable: boolean): void {
    this.#rotate()
    const g = this.#entry(route).cur
    g.originResponses++
    if (uncacheable) g.originUncacheable++
  }

  /** One summary per route seen in the covered span, plus route `*` for all of them. */
  summaries (): RouteSummaries {
    this.#rotate()
    const seconds = this.#seconds()
    const all = new Generation()
    const routes: RouteSummary[] = []
    for (const [route, e] of this.#routes) {
      const g = new Generation()
      g.add(e.cur)
      g.add(e.prev)
      if (g.requests === 0 && g.originResponses === 0) continue
      all.add(g)
      routes.push(summarize(route, g, g.requests / seconds))
    }
    return { routes, total: summarize('*', all, all.requests / seconds), seconds, workers: [{ pid: process.pid, requests: all.requests }] }
  }

  /** This process's figures in the form `mergeRouteExports` adds up across the workers of a node. */
  export (): RouteExport {
    this.#rotate()
    const routes: RouteRow[] = []
    for (const [route, e] of this.#routes) {
      const g = new Generation()
      g.add(e.cur)
      g.add(e.prev)
      if (g.requests === 0 && g.originResponses === 0) continue
      routes.push(g.toRow(route))
    }
    return { pid: process.pid, seconds: this.#seconds(), routes }
  }

  #seconds (): number {
    return Math.max(1, (this.#now() - this.#prevStart) / 1000)
  }

  #entry (route: string): RouteEntry {
    let e = this.#routes.get(route)
    if (e === undefined) {
      e = new RouteEntry()
      this.#routes.set(route, e)
    }
    return e
  }

  #rotate (): void {
    this.#rotateAt(this.#now())
  }

  #rotateAt (now: number): void {
    if (now - this.#windowStart < this.#windowMs) return
    const skipped = now - this.#windowStart >= 2 * this.#windowMs
    for (const [route, e] of this.#routes) {
      const old = e.prev
      e.prev = e.cur
      old.reset()
      e.cur = old
      if (skipped) e.prev.reset()
      // Routes idle for two windows are dropped, so the table shows what is happening now.
      if (e.prev.requests === 0 && e.prev.originResponses === 0) this.#routes.delete(route)
    }
    this.#prevStart = skipped ? now - this.#windowMs : this.#windowStart
    this.#windowStart = now
  }
}

/** The node's route table from its workers' exports: counts and histogram buckets add up (so the node's
 * percentiles are those of all its requests), and req/s is the sum of each worker's rate over its own span (a
 * worker that restarted covers less time than the others). */
export function mergeRouteExports (exports: readonly RouteExport[]): RouteSummaries {
  const byRoute = new Map<string, { g: Generation, rps: number }>()
  const all = new Generation()
  let rps = 0
  let seconds = 1
  const workers: RouteSummaries['workers'] = []
  for (const x of exports) {
    const span = Math.max(1, x.seconds)
    if (span > seconds) seconds = span
    let requests = 0
    for (const row of x.routes) {
      let m = byRoute.get(row.route)
      if (m === undefined) {
        m = { g: new Generation(), rps: 0 }
        byRoute.set(row.route, m)
      }
      m.g.addRow(row)
      m.rps += row.requests / span
      all.addRow(row)
      requests += row.requests
    }
    rps += requests / span
    workers.push({ pid: x.pid, requests })
  }
  const routes: RouteSummary[] = []
  for (const [route, m] of byRoute) routes.push(summarize(route, m.g, m.rps))
  return { routes, total: summarize('*', all, rps), seconds, workers }
}

function summarize (route: string, g: Generation, rps: number): RouteSummary {
  return {
    route,
    requests: g.requests,
    rps,
    p50: g.latency.percentile(50),
    p95: g.latency.percentile(95),
    errors: g.errors,
    lookups: g.lookups,
    hitRatio: g.lookups > 0 ? g.hits / g.lookups : null,
    upstream: g.upstream,
    upstreamP95: g.upstreamLatency.percentile(95),
    upstreamErrors: g.upstreamErrors,
    originUncacheable: g.originUncacheable,
    originResponses: g.originResponses,
    limited: g.limited
  }
}
