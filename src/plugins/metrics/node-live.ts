// The dashboard's live figures for the whole node. In one process they are this process's series and route table,
// read directly (no IPC). Under `server.workers` each worker tells the primary its finished seconds once a second
// and answers the primary's poll for its route table; the dashboard of any worker then asks the primary for the
// node's series (node-series.ts) and route table (mergeRouteExports), so every worker serves the same page.
import type { NodeLink } from '../../core/types.js'
import type { RouteStats, RouteSummaries } from './route-stats.js'
import type { SecondRow, SeriesSnapshot, TimeSeries } from './time-series.js'
import type { SeriesReport } from './node-series.js'

/** Worker to primary, once a second: a SeriesReport. */
export const TOPIC_SERIES_ROWS = 'metrics:series-rows'
/** Worker asks the primary for the node's series after `{ since }` (epoch s): a SeriesSnapshot. */
export const TOPIC_SERIES = 'metrics:series'
/** Worker asks the primary for the node's route table: RouteSummaries. */
export const TOPIC_ROUTES = 'metrics:routes'
/** Primary polls every worker for its route table: a RouteExport. */
export const TOPIC_ROUTE_EXPORT = 'metrics:route-export'

/** How long a dashboard request waits for the primary (which waits up to ROUTE_POLL_TIMEOUT_MS for the workers). */
export const ASK_TIMEOUT_MS = 3000

export interface NodeLive {
  /** Seconds of history kept. */
  readonly seconds: number
  /** The node's finished seconds after `sinceSec`, oldest first. */
  series(sinceSec?: number): Promise<SeriesSnapshot>
  /** The node's route table of the last one to two minutes. */
  routes(): Promise<RouteSummaries>
}

export interface NodeLiveLog {
  debug(obj: object, msg: string): void
}

/** One process: its own figures. */
export function localNodeLive (series: TimeSeries, routes: RouteStats): NodeLive {
  return {
    seconds: series.seconds,
    series: async since => series.snapshot(since),
    routes: async () => routes.summaries()
  }
}

/** A worker of `server.workers`: the primary's figures of the whole node; `report()` (called once a second) sends
 * this worker's finished seconds. Should the primary not answer, the dashboard gets this worker's own figures
 * (the route table's `workers` then names this worker alone). */
export class ClusterNodeLive implements NodeLive {
  readonly #link: NodeLink
  readonly #series: TimeSeries
  readonly #routes: RouteStats
  readonly #log: NodeLiveLog
  #rows: SecondRow[] = []

  constructor (link: NodeLink, series: TimeSeries, routes: RouteStats, log: NodeLiveLog) {
    this.#link = link
    this.#series = series
    this.#routes = routes
    this.#log = log
    series.onSecond(row => { this.#rows.push(row) })
    link.answer(TOPIC_ROUTE_EXPORT, () => routes.export())
  }

  get seconds (): number {
    return this.#series.seconds
  }

  report (): void {
    const upTo = this.#series.flush()
    const depth = this.#series.queueDepth
    const report: SeriesReport = { seconds: this.#series.seconds, upTo, queueDepth: Number.isNaN(depth) ? null : depth, rows: this.#rows }
    this.#rows = []
    this.#link.tell(TOPIC_SERIES_ROWS, report)
  }

  async series (since?: number): Promise<SeriesSnapshot> {
    try {
      return await this.#link.ask(TOPIC_SERIES, { since: since ?? null }, ASK_TIMEOUT_MS) as SeriesSnapshot
    } catch (err) {
      this.#log.debug({ err: { message: (err as Error).message } }, 'node series unavailable: showing this worker\'s')
      return this.#series.snapshot(since)
    }
  }

  async routes (): Promise<RouteSummaries> {
    try {
      return await this.#link.ask(TOPIC_ROUTES, null, ASK_TIMEOUT_MS) as RouteSummaries
    } catch (err) {
      this.#log.debug({ err: { message: (err as Error).message } }, 'node route table unavailable: showing this worker\'s')
      return this.#routes.summaries()
    }
  }
}
