// The fleet view's contract: what each sidecar process writes to Redis every `fleet.heartbeatInterval`, and what
// the admin API (`GET <admin>/api/fleet`) and the dashboard read back, one row per node.

/** Cumulative counts since the process started (the metrics plugin supplies them; zeros while metrics are off). */
export interface FleetCounts {
  requests: number
  /** Requests that looked the cache up, and how many of those were hits. */
  lookups: number
  hits: number
}

/** One process's beat. A node of `server.workers: N` writes N of these (one per worker), grouped by `node`. */
export interface FleetRecord {
  /** `<host>:<pid>:<random tag>`: this process. */
  id: string
  /** `<host>:<pid of the cluster primary>` for a worker of `server.workers`, else `id`. */
  node: string
  host: string
  pid: number
  version: string
  /** ms since epoch. */
  startedAt: number
  /** ms since epoch, on the writer's clock. */
  beatAt: number
  intervalMs: number
  /** `stopped` is written on a graceful stop, so the fleet shows it stopped rather than stopped reporting. */
  state: 'up' | 'stopped'
  /** Worker processes the node is configured for. */
  workers: number
  /** Counts over the last beat interval, and its length in seconds (0 before the second beat). */
  window: FleetCounts & { seconds: number }
  /** Whether the metrics plugin feeds the counts (false: req/s and hit ratio are unknown). */
  measured: boolean
}

export type FleetState = 'up' | 'stale' | 'stopped'

export interface FleetInstance {
  id: string
  pid: number
  state: FleetState
  /** ms since its last beat. */
  ageMs: number
  rps: number | null
  hitRatio: number | null
}

/** One row of the fleet view: a sidecar node (one process, or a primary's workers together). */
export interface FleetNode {
  node: string
  host: string
  version: string
  /** `up` while any of its processes beats; `stale` when all stopped reporting (no beat for 3 intervals); `stopped`
   * when all stopped gracefully. */
  state: FleetState
  /** This is the node answering the request. */
  self: boolean
  startedAt: number
  uptimeSeconds: number
  /** ms since the node's latest beat. */
  ageMs: number
  rps: number | null
  hitRatio: number | null
  workers: { configured: number, reporting: number }
  instances: FleetInstance[]
}

export interface FleetView {
  /** False without a reachable Redis: `nodes` then holds this node alone and `reason` says why. */
  shared: boolean
  reason: string | null
  intervalMs: number
  /** A node is stale after this many ms without a beat. */
  staleAfterMs: number
  generatedAt: number
  nodes: FleetNode[]
}

export interface Fleet {
  /** The metrics plugin hands in its counters here (once, at registration). */
  setCounts(source: () => FleetCounts): void
  view(): Promise<FleetView>
}
