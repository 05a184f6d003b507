// From the records in Redis to one row per node. Pure, so the stale/stopped rules are tested without a clock.
import type { FleetInstance, FleetNode, FleetRecord, FleetState } from './types.js'

/** A process that has not beaten for this many intervals "stopped reporting". */
export const STALE_AFTER_INTERVALS = 3

function ratio (hits: number, lookups: number): number | null {
  return lookups === 0 ? null : hits / lookups
}

function instanceOf (r: FleetRecord, ageMs: number): FleetInstance {
  const state: FleetState = r.state === 'stopped' ? 'stopped' : ageMs > STALE_AFTER_INTERVALS * r.intervalMs ? 'stale' : 'up'
  const live = state === 'up' && r.measured && r.window.seconds > 0
  return {
    id: r.id,
    pid: r.pid,
    state,
    ageMs,
    rps: live ? r.window.requests / r.window.seconds : null,
    hitRatio: live ? ratio(r.window.hits, r.window.lookups) : null
  }
}

/** `now` is the reader's clock: the hosts' clocks are assumed NTP-synced (skew of ms against a stale threshold of
 * seconds). */
export function summarise (records: readonly FleetRecord[], selfNode: string, now: number): FleetNode[] {
  const byNode = new Map<string, FleetRecord[]>()
  for (const r of records) {
    const list = byNode.get(r.node)
    if (list === undefined) byNode.set(r.node, [r])
    else list.push(r)
  }
  const nodes: FleetNode[] = []
  for (const [node, list] of byNode) {
    list.sort((a, b) => a.pid - b.pid)
    const instances = list.map(r => instanceOf(r, Math.max(0, now - r.beatAt)))
    const up = instances.filter(i => i.state === 'up')
    const measured = list.filter((r, i) => instances[i].state === 'up' && r.measured && r.window.seconds > 0)
    const lookups = measured.reduce((s, r) => s + r.window.lookups, 0)
    const latest = list.reduce((a, b) => a.beatAt >= b.beatAt ? a : b)
    const startedAt = Math.min(...list.map(r => r.startedAt))
    const state: FleetState = up.length > 0 ? 'up' : instances.every(i => i.state === 'stopped') ? 'stopped' : 'stale'
    nodes.push({
      node,
      host: latest.host,
      version: latest.version,
      state,
      self: node === selfNode,
      startedAt,
      uptimeSeconds: state === 'up' ? Math.max(0, Math.round((now - startedAt) / 1000)) : 0,
      ageMs: Math.min(...instances.map(i => i.ageMs)),
      rps: measured.length === 0 ? null : measured.reduce((s, r) => s + r.window.requests / r.window.seconds, 0),
      hitRatio: measured.length === 0 ? null : ratio(measured.reduce((s, r) => s + r.window.hits, 0), lookups),
      workers: { configured: latest.workers, reporting: up.length },
      instances
    })
  }
  // Trouble first (an operator looks for it), then by name.
  const rank: Record<FleetState, number> = { stale: 0, stopped: 1, up: 2 }
  return nodes.sort((a, b) => rank[a.state] - rank[b.state] || a.node.localeCompare(b.node))
}
