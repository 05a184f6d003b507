// The slow query log: `log_output=TABLE` fills mysql.slow_log (read with SQL), `log_output=FILE` a file the
// sidecar reads when it runs on the database host. Filtered to the analysed schemas, so a slow log shared with
// other applications (or other tests) contributes only its own statements.
import { open } from 'node:fs/promises'
import { isAbsolute } from 'node:path'
import type { DbClient } from '../db-client.js'
import { isWorkloadStatement } from '../normalize.js'
import { ShapeBook } from '../shape-book.js'
import type { SourceResult, WorkloadSource } from '../types.js'
import { parseSlowLog } from './slow-log-parser.js'

export interface SlowLogSourceOptions {
  client: DbClient
  schemas: readonly string[]
  maxShapes: number
  maxAgeMs: number
  /** Path of the log file; '' = the server's slow_query_log_file when it is absolute and readable. */
  file: string
  maxFileBytes: number
  /** Wall clock in ms, for the age filter of file entries. @default Date.now */
  now?: () => number
}

export const SLOWLOG_ENABLE = "SET GLOBAL slow_query_log = 1, log_output = 'TABLE', long_query_time = 0.1 (and the same in my.cnf to keep it)"

export class SlowLogSource implements WorkloadSource {
  readonly name = 'slowlog' as const
  readonly #o: SlowLogSourceOptions

  constructor (opts: SlowLogSourceOptions) {
    this.#o = opts
  }

  async collect (): Promise<SourceResult> {
    const vars = await this.#o.client.rows(
      'SELECT @@GLOBAL.slow_query_log AS on_, @@GLOBAL.log_output AS output, @@GLOBAL.slow_query_log_file AS file, @@datadir AS datadir', [], 'read the slow log settings')
    const v = vars[0] ?? {}
    if (Number(v.on_ ?? 0) !== 1) return unavailable('slow_query_log is OFF', SLOWLOG_ENABLE)
    const output = String(v.output ?? '').toUpperCase().split(',')
    // An explicitly configured file wins when the server writes both.
    if (output.includes('TABLE') && !(this.#o.file !== '' && output.includes('FILE'))) return this.#fromTable()
    if (output.includes('FILE')) {
      const serverFile = String(v.file ?? '')
      const path = this.#o.file !== '' ? this.#o.file : isAbsolute(serverFile) ? serverFile : `${String(v.datadir ?? '')}${serverFile}`
      return this.#fromFile(path)
    }
    return unavailable(`log_output is ${String(v.output)}: the slow log goes nowhere`, SLOWLOG_ENABLE)
  }

  async #fromTable (): Promise<SourceResult> {
    const { client, schemas, maxAgeMs, maxShapes } = this.#o
    const rows = await client.rows(
      `SELECT db, CAST(sql_text AS CHAR) AS sql_text, TIME_TO_SEC(query_time) * 1000 AS ms, rows_sent AS sent, rows_examined AS examined
       FROM mysql.slow_log WHERE db IN (?) AND start_time >= NOW(6) - INTERVAL ? SECOND`,
      [schemas, Math.ceil(maxAgeMs / 1000)], 'read mysql.slow_log')
    const book = new ShapeBook('slowlog')
    for (const r of rows) {
      const sql = String(r.sql_text)
      if (!isWorkloadStatement(sql)) continue
      book.add({ sql, schema: String(r.db), count: 1, totalMs: Number(r.ms), rowsExamined: Number(r.examined), rowsSent: Number(r.sent) })
    }
    const shapes = book.shapes(maxShapes)
    return { report: { source: 'slowlog', available: true, reason: null, enable: null, shapes: shapes.length }, shapes }
  }

  async #fromFile (path: string): Promise<SourceResult> {
    const { schemas, maxAgeMs, maxShapes, maxFileBytes } = this.#o
    let text: string
    try {
      text = await readTail(path, maxFileBytes)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
      return unavailable(`log_output is FILE but ${path} can't be read here (${code}); the sidecar must run on the database host`,
        `set db.slowLogFile to a readable copy, or SET GLOBAL log_output = 'TABLE'`)
    }
    const cutoff = ((this.#o.now ?? Date.now)() - maxAgeMs) / 1000
    const wanted = new Set(schemas)
    const book = new ShapeBook('slowlog')
    for (const e of parseSlowLog(text)) {
      if (e.schema === null || !wanted.has(e.schema)) continue
      if (e.timestamp !== null && e.timestamp < cutoff) continue
      if (!isWorkloadStatement(e.sql)) continue
      book.add({ sql: e.sql, schema: e.schema, count: 1, totalMs: e.queryMs, rowsExamined: e.rowsExamined, rowsSent: e.rowsSent })
    }
    const shapes = book.shapes(maxShapes)
    return { report: { source: 'slowlog', available: true, reason: null, enable: null, shapes: shapes.length }, shapes }
  }
}

/** The last `maxBytes` of a file, from the first full line. */
async function readTail (path: string, maxBytes: number): Promise<string> {
  const fh = await open(path, 'r')
  try {
    const { size } = await fh.stat()
    const start = Math.max(0, size - maxBytes)
    const buf = Buffer.alloc(size - start)
    await fh.read(buf, 0, buf.length, start)
    const text = buf.toString('utf8')
    return start === 0 ? text : text.slice(text.indexOf('\n') + 1)
  } finally {
    await fh.close()
  }
}

function unavailable (reason: string, enable: string): SourceResult {
  return { report: { source: 'slowlog', available: false, reason, enable, shapes: 0 }, shapes: [] }
}
