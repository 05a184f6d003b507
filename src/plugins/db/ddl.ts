// The exact DDL the advisor proposes and apply runs. Index changes always name ALGORITHM=INPLACE, LOCK=NONE, so
// the server refuses (error 1846, with its reason) instead of silently copying the table or blocking writes.
import type { Flavor } from './db-client.js'
import { qualified, quoteId } from './db-client.js'

export const ONLINE = 'ALGORITHM=INPLACE, LOCK=NONE'

/** Index prefix length used for TEXT/BLOB columns, which can't be indexed whole. */
export const TEXT_PREFIX = 100

export interface IndexPart {
  name: string
  /** Prefix length, for TEXT/BLOB columns. */
  prefix: number | null
}

export function addIndexDdl (schema: string, table: string, index: string, parts: readonly IndexPart[]): string {
  const cols = parts.map(p => p.prefix === null ? quoteId(p.name) : `${quoteId(p.name)}(${p.prefix})`).join(', ')
  return `ALTER TABLE ${qualified(schema, table)} ADD INDEX ${quoteId(index)} (${cols}), ${ONLINE}`
}

export function dropIndexDdl (schema: string, table: string, index: string): string {
  return `ALTER TABLE ${qualified(schema, table)} DROP INDEX ${quoteId(index)}, ${ONLINE}`
}

/** MariaDB 10.6+ `IGNORED`, MySQL 8 `INVISIBLE`: the index is kept up to date but the optimizer no longer uses it,
 * so a mistake is undone instantly, without rebuilding anything. */
export function ignoreIndexDdl (flavor: Flavor, schema: string, table: string, index: string, ignore: boolean): string {
  const word = flavor === 'mariadb' ? (ignore ? 'IGNORED' : 'NOT IGNORED') : (ignore ? 'INVISIBLE' : 'VISIBLE')
  return `ALTER TABLE ${qualified(schema, table)} ALTER INDEX ${quoteId(index)} ${word}, ${ONLINE}`
}

/** First day of the month of `d` plus `months`, as 'YYYY-MM-DD' (UTC). */
function monthStart (d: Date, months: number): string {
  const x = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1))
  return x.toISOString().slice(0, 10)
}

/** Monthly RANGE COLUMNS partitions from the month of `from` to `monthsAhead` months past `to`, plus a catch-all. */
export function monthlyPartitionDdl (schema: string, table: string, column: string, from: Date, to: Date, monthsAhead = 3): string {
  const parts: string[] = []
  const total = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + to.getUTCMonth() - from.getUTCMonth() + monthsAhead
  for (let i = 0; i <= total; i++) {
    const start = monthStart(from, i)
    parts.push(`PARTITION p${start.slice(0, 7).replace('-', '')} VALUES LESS THAN ('${monthStart(from, i + 1)}')`)
  }
  parts.push('PARTITION pmax VALUES LESS THAN (MAXVALUE)')
  return `ALTER TABLE ${qualified(schema, table)} PARTITION BY RANGE COLUMNS(${quoteId(column)}) (\n  ${parts.join(',\n  ')}\n)`
}
