// The RED metrics of proxied requests. prom-client's own Counter/Histogram hash a label object on every call
// (~1.8 µs per request for a counter plus a histogram); here each request costs a few integer-keyed lookups into
// preallocated cells, and the cells are turned into prom-client's format only when /metrics is scraped. The
// metric objects implement what prom-client's Registry calls (get, reset), so they live on the shared registry.
import type { Registry } from 'prom-client'
import {
  CACHE_OUTCOMES, LabelIndex, METHOD_LABELS, NONE, STATUS_CLASS_LABELS, methodIndex, statusClassIndex
} from './labels.js'

/** Upstream error codes are undici/Node codes (UND_ERR_CONNECT_TIMEOUT, ECONNREFUSED...): a small set in practice. */
const MAX_ERROR_CODES = 30
const MAX_CACHE_OUTCOMES = 10
const N_STATUS = STATUS_CLASS_LABELS.length
/** Fixed stride for cache-outcome indexes in cell keys: above the most outcomes the cache LabelIndex can hold. */
const CACHE_STRIDE = 32

type Labels = Record<string, string>

interface MetricValue {
  value: number
  labels: Labels
  metricName?: string
}

interface CollectedMetric {
  name: string
  help: string
  type: 'counter' | 'histogram'
  values: MetricValue[]
  aggregator: 'sum'
}

class CountCell {
  value = 0
  constructor (readonly labels: Labels) {}
}

class HistogramCell {
  count = 0
  sum = 0
  /** Per-bucket (not cumulative) counts; the last one is +Inf. */
  readonly counts: Float64Array
  constructor (readonly labels: Labels, buckets: number) {
    this.counts = new Float64Array(buckets + 1)
  }

  observe (value: number, bounds: readonly number[]): void {
    let i = 0
    while (i < bounds.length && value > bounds[i]) i++
    this.counts[i]++
    this.count++
    this.sum += value
  }
}

class RouteCells {
  readonly requests = new Map<number, CountCell>()
  readonly duration = new Map<number, HistogramCell>()
  upstream: HistogramCell | null = null
  readonly errors = new Map<number, CountCell>()
  constructor (readonly route: string) {}
}

/** A metric prom-client's Registry can hold: it only calls `get()`/`reset()` and reads `name`. */
class CollectedOnScrape {
  readonly aggregator = 'sum' as const
  constructor (readonly name: string, readonly help: string, readonly type: 'counter' | 'histogram',
    readonly labelNames: readonly string[], readonly collect: () => MetricValue[], readonly reset: () => void) {}

  async get (): Promise<CollectedMetric> {
    return { name: this.name, help: this.help, type: this.type, values: this.collect(), aggregator: 'sum' }
  }
}

export interface HttpMetricsOptions {
  registry: Registry
  /** Route labels, shared with the dashboard's route table. */
  routes: LabelIndex
  buckets: readonly number[]
}

export class HttpMetrics {
  readonly #routes: LabelIndex
  readonly #cache = new LabelIndex(MAX_CACHE_OUTCOMES, [NONE, ...CACHE_OUTCOMES])
  readonly #codes = new LabelIndex(MAX_ERROR_CODES)
  readonly #bounds: readonly number[]
  #cells: (RouteCells | undefined)[] = []

  constructor (opts: HttpMetricsOptions) {
    this.#routes = opts.routes
    this.#bounds = [...opts.buckets].sort((a, b) => a - b)
    const reset = (): void => { this.#cells = [] }
    const register = (m: CollectedOnScrape): void => {
      opts.registry.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0])
    }
    register(new CollectedOnScrape('sipup_http_requests_total',
      'Requests answered by the sidecar, by route (rule name), method, status class and cache outcome.',
      'counter', ['route', 'method', 'status_class', 'cache'], () => this.#counters(c => c.requests), reset))
    register(new CollectedOnScrape('sipup_http_request_duration_seconds',
      'Time from request arrival to the last byte of the response, by route, method and cache outcome.',
      'histogram', ['route', 'method', 'cache'],
      () => this.#histograms('sipup_http_request_duration_seconds', c => [...c.duration.values()]), reset))
    register(new CollectedOnScrape('sipup_upstream_request_duration_seconds',
      'Time from sending a request to the origin to its response headers, by route.',
      'histogram', ['route'],
      () => this.#histograms('sipup_upstream_request_duration_seconds', c => c.upstream === null ? [] : [c.upstream]), reset))
    register(new CollectedOnScrape('sipup_upstream_errors_total',
      'Requests the origin did not answer (connection refused, timeout, reset...), by route and error code.',
      'counter', ['route', 'code'], () => this.#counters(c => c.errors), reset))
  }

  /** Counts one answered request. `route` is an index from the shared route LabelIndex. */
  record (route: number, method: string, status: number, cache: string | null, durationMs: number,
    upstreamMs: number, upstreamError: string | null): void {
    const cells = this.#cells[route] ?? this.#newRoute(route)
    const m = methodIndex(method)
    const c = cache === null ? 0 : this.#cache.index(cache)
    const s = statusClassIndex(status)
    const rk = (m * N_STATUS + s) * CACHE_STRIDE + c
    let req = cells.requests.get(rk)
    if (req === undefined) {
      req = new CountCell({
        route: cells.route, method: METHOD_LABELS[m], status_class: STATUS_CLASS_LABELS[s], cache: this.#cache.names[c]
      })
      cells.requests.set(rk, req)
    }
    req.value++
    const dk = m * CACHE_STRIDE + c
    let dur = cells.duration.get(dk)
    if (dur === undefined) {
      const labels = { route: cells.route, method: METHOD_LABELS[m], cache: this.#cache.names[c] }
      dur = new HistogramCell(labels, this.#bounds.length)
      cells.duration.set(dk, dur)
    }
    dur.observe(durationMs / 1000, this.#bounds)
    if (upstreamMs >= 0) {
      cells.upstream ??= new HistogramCell({ route: cells.route }, this.#bounds.length)
      cells.upstream.observe(upstreamMs / 1000, this.#bounds)
    }
    if (upstreamError !== null) {
      const e = this.#codes.index(upstreamError)
      let err = cells.errors.get(e)
      if (err === undefined) {
        err = new CountCell({ route: cells.route, code: this.#codes.names[e] })
        cells.errors.set(e, err)
      }
      err.value++
    }
  }

  #newRoute (route: number): RouteCells {
    const cells = new RouteCells(this.#routes.names[route])
    this.#cells[route] = cells
    return cells
  }

  #counters (pick: (c: RouteCells) => Map<number, CountCell>): MetricValue[] {
    const out: MetricValue[] = []
    for (const cells of this.#cells) {
      if (cells === undefined) continue
      for (const cell of pick(cells).values()) out.push({ value: cell.value, labels: cell.labels })
    }
    return out
  }

  #histograms (name: string, pick: (c: RouteCells) => HistogramCell[]): MetricValue[] {
    const out: MetricValue[] = []
    const bucket = `${name}_bucket`
    for (const cells of this.#cells) {
      if (cells === undefined) continue
      for (const cell of pick(cells)) {
        let cumulative = 0
        for (let i = 0; i < this.#bounds.length; i++) {
          cumulative += cell.counts[i]
          out.push({ value: cumulative, labels: { ...cell.labels, le: String(this.#bounds[i]) }, metricName: bucket })
        }
        out.push({ value: cell.count, labels: { ...cell.labels, le: '+Inf' }, metricName: bucket })
        out.push({ value: cell.sum, labels: cell.labels, metricName: `${name}_sum` })
        out.push({ value: cell.count, labels: cell.labels, metricName: `${name}_count` })
      }
    }
    return out
  }
}
