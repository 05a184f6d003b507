// What the advisor knows about the tables: columns with their byte width (for covering decisions), indexes in
// column order, sizes, and a fingerprint that tells apply whether the table changed since the analysis.
import { createHash } from 'node:crypto'
import type { DbClient, Row } from './db-client.js'
import { qualified } from './db-client.js'

export interface ColumnInfo {
  name: string
  /** COLUMN_TYPE, e.g. `int(10) unsigned`, `varchar(120)`. */
  type: string
  dataType: string
  /** Bytes the column takes in an index entry (upper bound for strings); Infinity for TEXT/BLOB. */
  bytes: number
  /** Date-like: a candidate partitioning column. */
  temporal: boolean
}

export interface IndexColumn {
  name: string
  /** Prefix length of a string column (`name(10)`), or null for the whole column. */
  subPart: number | null
  /** Distinct values of the columns up to this one, from index statistics (null when unknown). */
  cardinality: number | null
}

export interface IndexInfo {
  name: string
  columns: IndexColumn[]
  unique: boolean
  primary: boolean
  /** IGNORED (MariaDB) / INVISIBLE (MySQL): kept up to date but not used by the optimizer. */
  ignored: boolean
  /** Bytes, from mysql.innodb_index_stats (null when unknown). */
  bytes: number | null
}

export interface TableInfo {
  schema: string
  name: string
  engine: string
  rows: number
  dataBytes: number
  indexBytes: number
  dataFree: number
  partitioned: boolean
  /** Keyed by lower-cased column name (MySQL column names are case-insensitive). */
  columns: Map<string, ColumnInfo>
  indexes: IndexInfo[]
  fingerprint: string
}

const FIXED_BYTES: Readonly<Record<string, number>> = {
  tinyint: 1, smallint: 2, mediumint: 3, int: 4, integer: 4, bigint: 8, float: 4, double: 8, real: 8, bit: 8,
  date: 3, datetime: 8, timestamp: 4, time: 3, year: 1, enum: 2, set: 8, bool: 1, boolean: 1, inet4: 4, inet6: 16, uuid: 16
}

const TEMPORAL = new Set(['date', 'datetime', 'timestamp'])

export function columnBytes (dataType: string, octets: number | null, precision: number | null): number {
  const t = dataType.toLowerCase()
  if (t in FIXED_BYTES) return FIXED_BYTES[t]
  if (t === 'decimal' || t === 'numeric') return Math.ceil((precision ?? 10) / 2) + 1
  if (t === 'char' || t === 'varchar' || t === 'binary' || t === 'varbinary') return (octets ?? 255) + (t.startsWith('var') ? 2 : 0)
  return Number.POSITIVE_INFINITY
}

export class Catalog {
  readonly #client: DbClient
  readonly #tables = new Map<string, TableInfo | null>()

  constructor (client: DbClient) {
    this.#client = client
  }

  /** The table, or null when it does not exist (a view, a temporary table, a typo in the workload). Cached. */
  async table (schema: string, name: string): Promise<TableInfo | null> {
    const key = `${schema}.${name}`.toLowerCase()
    if (this.#tables.has(key)) return this.#tables.get(key) ?? null
    const t = await readTable(this.#client, schema, name)
    this.#tables.set(key, t)
    return t
  }

  /** Forgets what it read, so the next call sees the table as it is now. */
  forget (schema: string, name: string): void {
    this.#tables.delete(`${schema}.${name}`.toLowerCase())
  }

  async tablesOf (schema: string): Promise<string[]> {
    const rows = await this.#client.rows(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
      [schema], 'list the tables')
    return rows.map(r => String(r.t))
  }
}

export async function readTable (client: DbClient, schema: string, name: string): Promise<TableInfo | null> {
  const what = `read the definition of ${schema}.${name}`
  const tables = await client.rows(
    `SELECT TABLE_NAME AS name, ENGINE AS engine, TABLE_ROWS AS rows_, DATA_LENGTH AS data, INDEX_LENGTH AS idx,
      DATA_FREE AS free, CREATE_OPTIONS AS opts
     FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND TABLE_TYPE = 'BASE TABLE'`, [schema, name], what)
  const t = tables[0]
  if (t === undefined) return null
  const realName = String(t.name)
  const cols = await client.rows(
    `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, DATA_TYPE AS dt, CHARACTER_OCTET_LENGTH AS octets, NUMERIC_PRECISION AS prec
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`, [schema, realName], what)
  const stats = await client.rows(
    'SELECT * FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX', [schema, realName], what)
  let sizes: Row[] = []
  try {
    sizes = await client.rows(
      "SELECT index_name AS i, stat_value * @@innodb_page_size AS bytes FROM mysql.innodb_index_stats WHERE database_name = ? AND table_name = ? AND stat_name = 'size'",
      [schema, realName], what)
  } catch {
    // Index sizes are a nicety of the report: without SELECT on mysql.innodb_index_stats they are unknown.
  }
  const columns = new Map<string, ColumnInfo>()
  for (const c of cols) {
    const dt = String(c.dt)
    columns.set(String(c.name).toLowerCase(), {
      name: String(c.name),
      type: String(c.type),
      dataType: dt,
      bytes: columnBytes(dt, c.octets === null ? null : Number(c.octets), c.prec === null ? null : Number(c.prec)),
      temporal: TEMPORAL.has(dt.toLowerCase())
    })
  }
  const sizeOf = new Map(sizes.map(r => [String(r.i), Number(r.bytes)]))
  const byName = new Map<string, IndexInfo>()
  for (const s of stats) {
    const iname = String(s.INDEX_NAME)
    let ix = byName.get(iname)
    if (ix === undefined) {
      ix = {
        name: iname,
        columns: [],
        unique: Number(s.NON_UNIQUE) === 0,
        primary: iname === 'PRIMARY',
        ignored: String(s.IGNORED ?? 'NO') === 'YES' || String(s.IS_VISIBLE ?? 'YES') === 'NO',
        bytes: sizeOf.get(iname) ?? null
      }
      byName.set(iname, ix)
    }
    ix.columns.push({
      name: String(s.COLUMN_NAME ?? ''),
      subPart: s.SUB_PART === null || s.SUB_PART === undefined ? null : Number(s.SUB_PART),
      cardinality: s.CARDINALITY === null || s.CARDINALITY === undefined ? null : Number(s.CARDINALITY)
    })
  }
  const indexes = [...byName.values()].sort((a, b) => Number(b.primary) - Number(a.primary) || a.name.localeCompare(b.name))
  return {
    schema,
    name: realName,
    engine: String(t.engine ?? ''),
    rows: Number(t.rows_ ?? 0),
    dataBytes: Number(t.data ?? 0),
    indexBytes: Number(t.idx ?? 0),
    dataFree: Number(t.free ?? 0),
    partitioned: /partitioned/i.test(String(t.opts ?? '')),
    columns,
    indexes,
    fingerprint: tableFingerprint([...columns.values()], indexes)
  }
}

/** Hash of what an index decision depends on: columns and their types, indexes and their columns. */
export function tableFingerprint (columns: readonly ColumnInfo[], indexes: readonly IndexInfo[]): string {
  const text = JSON.stringify([
    columns.map(c => [c.name, c.type]),
    indexes.map(i => [i.name, i.unique, i.ignored, i.columns.map(c => [c.name, c.subPart])])
  ])
  return createHash('sha256').update(text).digest('hex').slice(0, 16)
}

export async function showCreateTable (client: DbClient, schema: string, table: string): Promise<string> {
  const rows = await client.rows(`SHOW CREATE TABLE ${qualified(schema, table)}`, [], `read SHOW CREATE TABLE ${schema}.${table}`)
  return String(rows[0]?.['Create Table'] ?? '')
}
