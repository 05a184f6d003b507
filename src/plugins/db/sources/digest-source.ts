// performance_schema.events_statements_summary_by_digest: MySQL 8's default, the cheapest and most complete
// source (every execution, timed by the server). MariaDB ships it off, and it can only be turned on at start-up.
import type { DbClient } from '../db-client.js'
import { isWorkloadStatement } from '../normalize.js'
import { ShapeBook } from '../shape-book.js'
import type { SourceResult, WorkloadSource } from '../types.js'

export interface DigestSourceOptions {
  client: DbClient
  schemas: readonly string[]
  maxShapes: number
}

export const DIGEST_ENABLE = 'performance_schema=ON under [mysqld] in my.cnf, then restart the server (it cannot be turned on at run time)'

const PICO_PER_MS = 1e9

export class DigestSource implements WorkloadSource {
  readonly name = 'digest' as const
  readonly #o: DigestSourceOptions

  constructor (opts: DigestSourceOptions) {
    this.#o = opts
  }

  async collect (): Promise<SourceResult> {
    const { client, schemas, maxShapes } = this.#o
    const on = await client.rows('SELECT @@performance_schema AS on_', [], 'check performance_schema')
    if (Number(on[0]?.on_ ?? 0) !== 1) return unavailable('performance_schema is OFF on this server', DIGEST_ENABLE)
    const consumer = await client.rows(
      "SELECT ENABLED AS e FROM performance_schema.setup_consumers WHERE NAME = 'statements_digest'", [], 'check the statements_digest consumer')
    if (String(consumer[0]?.e ?? 'NO') !== 'YES') {
      return unavailable('the statements_digest consumer is disabled',
        "UPDATE performance_schema.setup_consumers SET ENABLED = 'YES' WHERE NAME = 'statements_digest'")
    }
    // QUERY_SAMPLE_TEXT exists on MySQL 8 only; MariaDB's samples come from the statement history when it has one.
    const cols = await client.rows(
      "SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'performance_schema' AND TABLE_NAME = 'events_statements_summary_by_digest' AND COLUMN_NAME = 'QUERY_SAMPLE_TEXT'",
      [], 'read the digest table\'s columns')
    const sampleCol = cols.length > 0 ? 'QUERY_SAMPLE_TEXT' : 'NULL'
    const rows = await client.rows(
      `SELECT SCHEMA_NAME AS db, DIGEST AS digest, DIGEST_TEXT AS text, COUNT_STAR AS n, SUM_TIMER_WAIT AS wait,
        SUM_ROWS_EXAMINED AS examined, SUM_ROWS_SENT AS sent, ${sampleCol} AS sample
       FROM performance_schema.events_statements_summary_by_digest
       WHERE SCHEMA_NAME IN (?) AND DIGEST_TEXT IS NOT NULL ORDER BY SUM_TIMER_WAIT DESC LIMIT ?`,
      [schemas, maxShapes * 2], 'read performance_schema.events_statements_summary_by_digest')
    const history = sampleCol === 'NULL' ? await this.#historySamples() : new Map<string, string>()
    const book = new ShapeBook('digest')
    for (const r of rows) {
      const text = String(r.text)
      if (!isWorkloadStatement(text)) continue
      const sample = r.sample === null || r.sample === undefined || r.sample === '' ? (history.get(String(r.digest)) ?? null) : String(r.sample)
      book.add({
        sql: text,
        schema: r.db === null ? null : String(r.db),
        count: Number(r.n),
        totalMs: Number(r.wait) / PICO_PER_MS,
        rowsExamined: Number(r.examined),
        rowsSent: Number(r.sent),
        // A digest text has `?` for literals: only a real statement can be EXPLAINed.
        sample: sample !== null && isWorkloadStatement(sample) && !sample.endsWith('...') ? sample : null
      })
    }
    const shapes = book.shapes(maxShapes)
    return { report: { source: 'digest', available: true, reason: null, enable: null, shapes: shapes.length }, shapes }
  }

  async #historySamples (): Promise<Map<string, string>> {
    const out = new Map<string, string>()
    try {
      const rows = await this.#o.client.rows(
        'SELECT DIGEST AS digest, SQL_TEXT AS text FROM performance_schema.events_statements_history_long WHERE DIGEST IS NOT NULL',
        [], 'read performance_schema.events_statements_history_long')
      for (const r of rows) out.set(String(r.digest), String(r.text))
    } catch {
      // The history consumer is optional: without it shapes are advised from their text alone.
    }
    return out
  }
}

function unavailable (reason: string, enable: string): SourceResult {
  return { report: { source: 'digest', available: false, reason, enable, shapes: 0 }, shapes: [] }
}
