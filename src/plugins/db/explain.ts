// Plans: EXPLAIN FORMAT=JSON (MariaDB and MySQL), or MariaDB's ANALYZE FORMAT=JSON, which runs the statement and
// adds real row counts (r_rows, r_filtered). Both trees are walked the same way: every object with `table_name`
// is a table access; filesort and temporary tables are flagged for the whole statement.
import type { PoolConnection } from 'mysql2/promise'
import type { DbClient, ServerInfo } from './db-client.js'
import { quoteId } from './db-client.js'

export interface PlanTable {
  /** The alias as the statement wrote it (EXPLAIN names tables by alias). */
  alias: string
  accessType: string
  key: string | null
  /** Estimated rows read per loop. */
  rows: number | null
  /** Estimated % of those rows that pass the table's conditions. */
  filtered: number | null
  /** ANALYZE: real rows read per loop, loops, and real % passing. */
  rRows: number | null
  rLoops: number | null
  rFiltered: number | null
  usingIndex: boolean
}

export interface Plan {
  tables: PlanTable[]
  filesort: boolean
  temporary: boolean
  analyzed: boolean
}

type Json = Record<string, unknown>

function num (v: unknown): number | null {
  if (typeof v === 'number') return v
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v)
  return null
}

export function parsePlan (json: unknown, analyzed: boolean): Plan {
  const plan: Plan = { tables: [], filesort: false, temporary: false, analyzed }
  const walk = (x: unknown): void => {
    if (x === null || typeof x !== 'object') return
    if (Array.isArray(x)) { x.forEach(walk); return }
    const o = x as Json
    if ('filesort' in o || 'read_sorted_file' in o || o.using_filesort === true) plan.filesort = true
    if ('temporary_table' in o || o.using_temporary_table === true) plan.temporary = true
    if (typeof o.table_name === 'string') {
      plan.tables.push({
        alias: o.table_name,
        accessType: String(o.access_type ?? ''),
        key: typeof o.key === 'string' ? o.key : null,
        rows: num(o.rows) ?? num(o.rows_examined_per_scan),
        filtered: num(o.filtered),
        rRows: num(o.r_rows),
        rLoops: num(o.r_loops),
        rFiltered: num(o.r_filtered),
        usingIndex: o.using_index === true
      })
    }
    for (const v of Object.values(o)) walk(v)
  }
  walk(json)
  return plan
}

/** Rows read from a table over the whole statement: real when analyzed, else the estimate. */
export function rowsRead (t: PlanTable): number | null {
  if (t.rRows !== null) return t.rRows * (t.rLoops ?? 1)
  return t.rows
}

/** A table access that reads (nearly) all of it, or reads far more than it keeps. */
export function scanProblem (t: PlanTable, plan: Plan): string | null {
  if (t.accessType === 'ALL') return 'full table scan'
  if (t.accessType === 'index' && !t.usingIndex) return 'full index scan'
  if (t.accessType === 'index') return 'full index scan'
  const f = t.rFiltered ?? t.filtered
  const read = rowsRead(t)
  if (read !== null && read >= 1000 && f !== null && f < 10) return `reads ${Math.round(read)} rows to keep ${f.toFixed(1)}%`
  if (plan.filesort && (t.accessType === 'ref' || t.accessType === 'range') && read !== null && read >= 1000) return 'filesort'
  return null
}

export interface ExplainOptions {
  client: DbClient
  info: ServerInfo
  /** Run ANALYZE FORMAT=JSON for SELECTs (MariaDB only). */
  analyze: boolean
  statementTimeoutMs: number
}

/** Statement bounded server-side: MariaDB `SET STATEMENT max_statement_time`, MySQL `max_execution_time` (session). */
export function bounded (info: ServerInfo, sql: string, timeoutMs: number): string {
  if (info.flavor === 'mariadb' && timeoutMs > 0) return `SET STATEMENT max_statement_time = ${(timeoutMs / 1000).toFixed(3)} FOR ${sql}`
  return sql
}

export async function useSchema (client: DbClient, conn: PoolConnection, info: ServerInfo, schema: string, timeoutMs: number): Promise<void> {
  await client.exec(`USE ${quoteId(schema)}`, `use database ${schema}`, conn)
  if (info.flavor === 'mysql' && timeoutMs > 0) await client.exec(`SET SESSION max_execution_time = ${Math.round(timeoutMs)}`, 'bound statement time', conn)
}

/** The plan of `sql` run in `schema`. ANALYZE only for SELECT on MariaDB when allowed. */
export async function explain (opts: ExplainOptions, conn: PoolConnection, sql: string, isSelect: boolean): Promise<Plan> {
  const { client, info } = opts
  const analyze = opts.analyze && isSelect && info.flavor === 'mariadb'
  const stmt = analyze ? `ANALYZE FORMAT=JSON ${sql}` : `EXPLAIN FORMAT=JSON ${sql}`
  const rows = await client.rows(bounded(info, stmt, opts.statementTimeoutMs), [], 'EXPLAIN a workload statement', conn)
  const first = rows[0] ?? {}
  const text = String(first.ANALYZE ?? first.EXPLAIN ?? Object.values(first)[0] ?? '{}')
  return parsePlan(JSON.parse(text), analyze)
}

/** Median time of `runs` executions of a SELECT, ms. */
export async function timeStatement (opts: ExplainOptions, conn: PoolConnection, sql: string, runs: number): Promise<number> {
  const times: number[] = []
  const stmt = bounded(opts.info, sql, opts.statementTimeoutMs)
  // One run first to warm the buffer pool, so before and after compare the index, not the cache.
  await opts.client.rows(stmt, [], 'time a workload statement', conn)
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await opts.client.rows(stmt, [], 'time a workload statement', conn)
    times.push(performance.now() - t0)
  }
  return median(times)
}

export function median (xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length === 0 ? Number.NaN : s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

/** At most `limit` tasks at once: the advisor's EXPLAIN and timing work never crowds the pool. */
export class TaskLimiter {
  readonly #limit: number
  #running = 0
  readonly #queue: (() => void)[] = []

  constructor (limit: number) {
    this.#limit = limit
  }

  async run<T> (fn: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#limit) await new Promise<void>(resolve => this.#queue.push(resolve))
    this.#running++
    try {
      return await fn()
    } finally {
      this.#running--
      this.#queue.shift()?.()
    }
  }
}
