// Sampling information_schema.PROCESSLIST over a window: needs no server setting at all, only the PROCESS
// privilege. It sees statements while they run, so it finds exactly the slow ones (a 1 ms query is rarely caught);
// an execution is one (connection, statement) seen with a growing TIME_MS, its duration the largest TIME_MS seen.
import { SIPUP_ERR_DB_PRIVILEGE } from '../../../errors.js'
import type { DbClient } from '../db-client.js'
import { hasPrivilege, parseGrants } from '../privileges.js'
import { isWorkloadStatement } from '../normalize.js'
import { ShapeBook } from '../shape-book.js'
import type { SourceResult, WorkloadSource } from '../types.js'

export interface ProcesslistSourceOptions {
  client: DbClient
  schemas: readonly string[]
  maxShapes: number
  windowMs: number
  intervalMs: number
  /** Clock and wait, injectable for tests. @default performance.now, setTimeout */
  now?: () => number
  delay?: (ms: number) => Promise<void>
}

interface Execution {
  id: number
  sql: string
  schema: string | null
  ms: number
  examined: number | null
  /** Sample number it was last seen in. */
  seen: number
}

const realDelay = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

export class ProcesslistSource implements WorkloadSource {
  readonly name = 'processlist' as const
  readonly #o: ProcesslistSourceOptions

  constructor (opts: ProcesslistSourceOptions) {
    this.#o = opts
  }

  async collect (): Promise<SourceResult> {
    const { client, schemas, windowMs, intervalMs, maxShapes } = this.#o
    const now = this.#o.now ?? (() => performance.now())
    const delay = this.#o.delay ?? realDelay
    const info = await client.info()
    // Without PROCESS the server shows only the sidecar's own sessions: an empty result that would look like an
    // idle shop. Say so instead.
    const grants = parseGrants((await client.rows('SHOW GRANTS', [], 'read the sidecar user\'s grants')).map(r => String(Object.values(r)[0])))
    if (!hasPrivilege(grants, 'PROCESS', '*.*')) {
      throw new SIPUP_ERR_DB_PRIVILEGE('PROCESS ON *.*', 'see other sessions\' statements in information_schema.PROCESSLIST (processlist source)')
    }
    // MariaDB has TIME_MS and EXAMINED_ROWS; MySQL only whole seconds.
    const cols = info.flavor === 'mariadb' ? 'TIME_MS AS ms, EXAMINED_ROWS AS examined' : 'TIME * 1000 AS ms, NULL AS examined'
    const sql = `SELECT ID AS id, DB AS db, INFO AS info, ${cols} FROM information_schema.PROCESSLIST
      WHERE ID <> CONNECTION_ID() AND COMMAND = 'Query' AND INFO IS NOT NULL AND DB IN (?)`
    const book = new ShapeBook('processlist')
    const running = new Map<string, Execution>()
    const finish = (e: Execution): void => {
      book.add({ sql: e.sql, schema: e.schema, count: 1, totalMs: e.ms, rowsExamined: e.examined, rowsSent: null })
    }
    const start = now()
    let sample = 0
    for (;;) {
      sample++
      const rows = await client.rows(sql, [schemas], 'sample information_schema.PROCESSLIST')
      for (const r of rows) {
        const text = String(r.info)
        if (!isWorkloadStatement(text)) continue
        const key = `${String(r.id)}\0${text}`
        const ms = Number(r.ms)
        const examined = r.examined === null || r.examined === undefined ? null : Number(r.examined)
        const e = running.get(key)
        // Same connection, same text, but TIME_MS went down: the previous execution ended and a new one began.
        if (e !== undefined && ms >= e.ms) {
          e.ms = ms
          e.examined = examined
          e.seen = sample
          continue
        }
        if (e !== undefined) finish(e)
        running.set(key, { id: Number(r.id), sql: text, schema: r.db === null ? null : String(r.db), ms, examined, seen: sample })
      }
      for (const [key, e] of running) {
        if (e.seen !== sample) { finish(e); running.delete(key) }
      }
      if (now() - start >= windowMs) break
      await delay(intervalMs)
    }
    for (const e of running.values()) finish(e)
    const shapes = book.shapes(maxShapes)
    return { report: { source: 'processlist', available: true, reason: null, enable: null, shapes: shapes.length }, shapes }
  }
}
