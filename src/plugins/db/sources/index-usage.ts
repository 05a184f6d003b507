// Which indexes are never read: MariaDB's user statistics (INDEX_STATISTICS / TABLE_STATISTICS, `userstat=1`) or
// MySQL's sys.schema_unused_indexes (performance_schema). Counts start when the statistics were turned on (or the
// server started), so an index used only by a monthly report looks unused until that report has run.
import type { DbClient } from '../db-client.js'

export interface IndexUsage {
  available: boolean
  /** 'userstat' or 'sys.schema_unused_indexes' */
  source: string
  reason: string | null
  enable: string | null
  /** `schema.table.index` of indexes with no reads on tables that were read. */
  unused: { schema: string, table: string, index: string }[]
}

export const USERSTAT_ENABLE = 'SET GLOBAL userstat = 1 (and userstat = 1 in my.cnf); leave it on for a full business cycle before trusting "unused"'

export async function readIndexUsage (client: DbClient, schemas: readonly string[]): Promise<IndexUsage> {
  const info = await client.info()
  if (info.flavor === 'mysql') {
    const ps = await client.rows('SELECT @@performance_schema AS on_', [], 'check performance_schema')
    if (Number(ps[0]?.on_ ?? 0) !== 1) {
      return { available: false, source: 'sys.schema_unused_indexes', reason: 'performance_schema is OFF', enable: 'performance_schema=ON in my.cnf, then restart', unused: [] }
    }
    const rows = await client.rows(
      'SELECT object_schema AS s, object_name AS t, index_name AS i FROM sys.schema_unused_indexes WHERE object_schema IN (?)',
      [schemas], 'read sys.schema_unused_indexes')
    return { available: true, source: 'sys.schema_unused_indexes', reason: null, enable: null, unused: rows.map(r => ({ schema: String(r.s), table: String(r.t), index: String(r.i) })) }
  }
  const on = await client.rows('SELECT @@userstat AS on_', [], 'check userstat')
  if (Number(on[0]?.on_ ?? 0) !== 1) {
    return { available: false, source: 'userstat', reason: 'userstat is OFF: no per-index read counts', enable: USERSTAT_ENABLE, unused: [] }
  }
  const rows = await client.rows(
    `SELECT s.TABLE_SCHEMA AS s, s.TABLE_NAME AS t, s.INDEX_NAME AS i
     FROM information_schema.STATISTICS s
     JOIN information_schema.TABLE_STATISTICS ts ON ts.TABLE_SCHEMA = s.TABLE_SCHEMA AND ts.TABLE_NAME = s.TABLE_NAME AND ts.ROWS_READ > 0
     LEFT JOIN information_schema.INDEX_STATISTICS x ON x.TABLE_SCHEMA = s.TABLE_SCHEMA AND x.TABLE_NAME = s.TABLE_NAME AND x.INDEX_NAME = s.INDEX_NAME
     WHERE s.TABLE_SCHEMA IN (?) AND s.SEQ_IN_INDEX = 1 AND s.INDEX_NAME <> 'PRIMARY' AND s.NON_UNIQUE = 1 AND x.INDEX_NAME IS NULL`,
    [schemas], 'read information_schema.INDEX_STATISTICS')
  return { available: true, source: 'userstat', reason: null, enable: null, unused: rows.map(r => ({ schema: String(r.s), table: String(r.t), index: String(r.i) })) }
}
