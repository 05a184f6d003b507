// The sidecar's own schema: the audit table of every change it made (who, when, the DDL, before/after figures,
// the table's SHOW CREATE TABLE before), so undo drops exactly what the sidecar added, and the latest analyses,
// so `db analyze` in a shell and the dashboard of any instance see the same suggestions.
import type { DbClient } from './db-client.js'
import { qualified, quoteId } from './db-client.js'
import type { Analysis, ChangeRecord, ShapeTiming, SuggestionKind } from './types.js'

/** Analyses kept; older ones are deleted when a new one is stored. */
export const KEEP_ANALYSES = 20

const CHANGES_DDL = (s: string): string => `CREATE TABLE IF NOT EXISTS ${qualified(s, 'db_changes')} (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  suggestion_id VARCHAR(32) NOT NULL,
  kind VARCHAR(24) NOT NULL,
  schema_name VARCHAR(64) NOT NULL,
  table_name VARCHAR(64) NOT NULL,
  index_name VARCHAR(64) NOT NULL,
  index_columns TEXT NOT NULL,
  ddl TEXT NOT NULL,
  undo_ddl TEXT NOT NULL,
  applied_by VARCHAR(128) NOT NULL,
  applied_at DATETIME(3) NOT NULL,
  status ENUM('applied', 'undone') NOT NULL,
  undone_by VARCHAR(128) NULL,
  undone_at DATETIME(3) NULL,
  before_json LONGTEXT NOT NULL,
  after_json LONGTEXT NOT NULL,
  speedup DOUBLE NULL,
  verdict VARCHAR(16) NOT NULL,
  create_table_before LONGTEXT NOT NULL,
  KEY ix_table (schema_name, table_name, index_name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`

const ANALYSES_DDL = (s: string): string => `CREATE TABLE IF NOT EXISTS ${qualified(s, 'db_analyses')} (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  created_at DATETIME(3) NOT NULL,
  created_by VARCHAR(128) NOT NULL,
  result_json LONGTEXT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`

/** A change as the applier records it: the record without what the store assigns (id, time) or undo fills in. */
export type NewChange = Omit<ChangeRecord, 'id' | 'appliedAt' | 'status' | 'undoneBy' | 'undoneAt'>

function toIso (v: unknown): string | null {
  if (v === null || v === undefined) return null
  return v instanceof Date ? v.toISOString() : String(v)
}

export class AuditStore {
  readonly #client: DbClient
  readonly #schema: string
  #ready: Promise<void> | null = null

  constructor (client: DbClient, schema: string) {
    this.#client = client
    this.#schema = schema
  }

  get schema (): string {
    return this.#schema
  }

  /** Creates the schema and tables once per process (IF NOT EXISTS: safe on every instance). */
  ensure (): Promise<void> {
    this.#ready ??= (async () => {
      await this.#client.exec(`CREATE DATABASE IF NOT EXISTS ${quoteId(this.#schema)}`, `create the sidecar's schema ${this.#schema}`)
      await this.#client.exec(CHANGES_DDL(this.#schema), 'create the audit table')
      await this.#client.exec(ANALYSES_DDL(this.#schema), 'create the analyses table')
    })()
    this.#ready.catch(() => { this.#ready = null })
    return this.#ready
  }

  async saveAnalysis (a: Analysis): Promise<number> {
    await this.ensure()
    const res = await this.#client.write(
      `INSERT INTO ${qualified(this.#schema, 'db_analyses')} (created_at, created_by, result_json) VALUES (?, ?, ?)`,
      [new Date(a.createdAt), a.createdBy, JSON.stringify({ ...a, id: null })], 'store the analysis')
    await this.#client.write(`DELETE FROM ${qualified(this.#schema, 'db_analyses')} WHERE id <= ?`, [res.insertId - KEEP_ANALYSES], 'prune old analyses')
    return res.insertId
  }

  async latestAnalysis (): Promise<Analysis | null> {
    await this.ensure()
    const rows = await this.#client.rows(
      `SELECT id, result_json AS j FROM ${qualified(this.#schema, 'db_analyses')} ORDER BY id DESC LIMIT 1`, [], 'read the latest analysis')
    const r = rows[0]
    if (r === undefined) return null
    return { ...(JSON.parse(String(r.j)) as Analysis), id: Number(r.id) }
  }

  async addChange (c: NewChange): Promise<ChangeRecord> {
    await this.ensure()
    const appliedAt = new Date()
    const res = await this.#client.write(
      `INSERT INTO ${qualified(this.#schema, 'db_changes')} (suggestion_id, kind, schema_name, table_name, index_name, index_columns,
        ddl, undo_ddl, applied_by, applied_at, status, before_json, after_json, speedup, verdict, create_table_before)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'applied', ?, ?, ?, ?, ?)`,
      [c.suggestionId, c.kind, c.schema, c.table, c.index, JSON.stringify(c.columns), c.ddl, c.undoDdl, c.appliedBy, appliedAt,
        JSON.stringify(c.before), JSON.stringify(c.after), c.speedup, c.verdict, c.createTableBefore], 'record the change in the audit table')
    const change = await this.change(res.insertId)
    if (change === null) throw new Error(`audit row ${res.insertId} vanished`)
    return change
  }

  async changes (limit = 100): Promise<ChangeRecord[]> {
    await this.ensure()
    const rows = await this.#client.rows(`SELECT * FROM ${qualified(this.#schema, 'db_changes')} ORDER BY id DESC LIMIT ?`, [limit], 'read the audit table')
    return rows.map(toChange)
  }

  async change (id: number): Promise<ChangeRecord | null> {
    await this.ensure()
    const rows = await this.#client.rows(`SELECT * FROM ${qualified(this.#schema, 'db_changes')} WHERE id = ?`, [id], 'read the audit table')
    return rows[0] === undefined ? null : toChange(rows[0])
  }

  /** The applied change on that index, if the sidecar made it. */
  async appliedOn (schema: string, table: string, index: string): Promise<ChangeRecord | null> {
    await this.ensure()
    const rows = await this.#client.rows(
      `SELECT * FROM ${qualified(this.#schema, 'db_changes')} WHERE schema_name = ? AND table_name = ? AND index_name = ? AND status = 'applied' ORDER BY id DESC LIMIT 1`,
      [schema, table, index], 'read the audit table')
    return rows[0] === undefined ? null : toChange(rows[0])
  }

  async markUndone (id: number, by: string): Promise<ChangeRecord> {
    await this.#client.write(`UPDATE ${qualified(this.#schema, 'db_changes')} SET status = 'undone', undone_by = ?, undone_at = NOW(3) WHERE id = ?`,
      [by, id], 'record the undo in the audit table')
    const c = await this.change(id)
    if (c === null) throw new Error(`audit row ${id} vanished`)
    return c
  }
}

function toChange (r: Record<string, unknown> | undefined): ChangeRecord {
  if (r === undefined) throw new Error('no audit row')
  return {
    id: Number(r.id),
    suggestionId: String(r.suggestion_id),
    kind: String(r.kind) as SuggestionKind,
    schema: String(r.schema_name),
    table: String(r.table_name),
    index: String(r.index_name),
    columns: JSON.parse(String(r.index_columns)) as string[],
    ddl: String(r.ddl),
    undoDdl: String(r.undo_ddl),
    appliedBy: String(r.applied_by),
    appliedAt: toIso(r.applied_at) ?? '',
    status: String(r.status) as ChangeRecord['status'],
    undoneBy: r.undone_by === null ? null : String(r.undone_by),
    undoneAt: toIso(r.undone_at),
    before: JSON.parse(String(r.before_json)) as ShapeTiming[],
    after: JSON.parse(String(r.after_json)) as ShapeTiming[],
    speedup: r.speedup === null ? null : Number(r.speedup),
    verdict: String(r.verdict) as ChangeRecord['verdict'],
    createTableBefore: String(r.create_table_before)
  }
}
