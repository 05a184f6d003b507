// The advisor's metrics on the core's registry: pool use (collected at scrape time), analyses, changes and
// maintenance runs. Names follow the project: sipup_ prefix, base units, _total for counters.
import { Counter, Gauge, type Registry } from 'prom-client'
import type { Pool } from 'mysql2/promise'

interface CorePoolInternals {
  _allConnections?: { length: number }
  _freeConnections?: { length: number }
  _connectionQueue?: { length: number }
}

/** mysql2 keeps its counts on the callback pool behind the promise one; read defensively (private fields). */
export function poolStats (pool: Pool): { total: number, idle: number, waiting: number } {
  const core = (pool as unknown as { pool?: CorePoolInternals }).pool ?? {}
  return {
    total: core._allConnections?.length ?? 0,
    idle: core._freeConnections?.length ?? 0,
    waiting: core._connectionQueue?.length ?? 0
  }
}

function metric<T> (registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make()
}

export class DbMetrics {
  readonly analyses: Counter<'outcome'>
  readonly changes: Counter<'action' | 'outcome'>
  readonly maintenance: Counter<'outcome'>
  readonly suggestions: Gauge<'kind'>

  constructor (registry: Registry, pool: Pool) {
    const registers = [registry]
    metric(registry, 'sipup_db_pool_connections', () => new Gauge({
      name: 'sipup_db_pool_connections',
      help: 'Connections of the DB advisor\'s pool by state',
      labelNames: ['state'],
      registers,
      collect () {
        const s = poolStats(pool)
        this.set({ state: 'busy' }, s.total - s.idle)
        this.set({ state: 'idle' }, s.idle)
      }
    }))
    metric(registry, 'sipup_db_pool_waiting', () => new Gauge({
      name: 'sipup_db_pool_waiting',
      help: 'Requests waiting for a connection of the DB advisor\'s pool',
      registers,
      collect () { this.set(poolStats(pool).waiting) }
    }))
    this.analyses = metric(registry, 'sipup_db_analyses_total', () => new Counter({
      name: 'sipup_db_analyses_total', help: 'Workload analyses run', labelNames: ['outcome'] as const, registers
    }))
    this.changes = metric(registry, 'sipup_db_changes_total', () => new Counter({
      name: 'sipup_db_changes_total', help: 'Schema changes applied or undone by the DB advisor', labelNames: ['action', 'outcome'] as const, registers
    }))
    this.maintenance = metric(registry, 'sipup_db_maintenance_runs_total', () => new Counter({
      name: 'sipup_db_maintenance_runs_total', help: 'Scheduled ANALYZE TABLE runs by outcome (ran, skipped: another instance had it, error)', labelNames: ['outcome'] as const, registers
    }))
    this.suggestions = metric(registry, 'sipup_db_suggestions', () => new Gauge({
      name: 'sipup_db_suggestions', help: 'Suggestions of the latest analysis by kind', labelNames: ['kind'] as const, registers
    }))
  }
}
