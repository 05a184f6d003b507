// The engine's one way to the server: every statement carries the sidecar's marker (sources skip it), a client
// timeout (never on DDL) and turns driver errors into coded ones naming what it was doing.
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise'
import { OWN_MARKER } from './normalize.js'
import { toDbError } from './mysql-errors.js'

export type Flavor = 'mariadb' | 'mysql'

export interface ServerInfo {
  flavor: Flavor
  version: string
  /** [major, minor] */
  major: number
  minor: number
}

export interface DbClientOptions {
  pool: Pool
  /** How the server is named in messages (redacted URL). */
  server: string
  /** Client-side bound on one query, ms (0 = none). */
  queryTimeoutMs: number
}

export type Row = RowDataPacket & Record<string, unknown>

export class DbClient {
  readonly pool: Pool
  readonly server: string
  readonly #timeout: number
  #info: Promise<ServerInfo> | null = null

  constructor (opts: DbClientOptions) {
    this.pool = opts.pool
    this.server = opts.server
    this.#timeout = opts.queryTimeoutMs
  }

  /** Rows of a read; `what` says in words what it is for ("read the slow log"). */
  async rows (sql: string, params: unknown[], what: string, conn?: PoolConnection): Promise<Row[]> {
    const q = { sql: `${OWN_MARKER} ${sql}`, ...(this.#timeout > 0 ? { timeout: this.#timeout } : {}) }
    try {
      const [rows] = await (conn ?? this.pool).query<Row[]>(q, params)
      return rows
    } catch (err) {
      throw toDbError(err, what, this.server)
    }
  }

  /** An INSERT / UPDATE / DELETE with parameters; its result header (insertId, affectedRows). */
  async write (sql: string, params: unknown[], what: string): Promise<ResultSetHeader> {
    const q = { sql: `${OWN_MARKER} ${sql}`, ...(this.#timeout > 0 ? { timeout: this.#timeout } : {}) }
    try {
      const [res] = await this.pool.query<ResultSetHeader>(q, params)
      return res
    } catch (err) {
      throw toDbError(err, what, this.server)
    }
  }

  /** A statement whose result is not rows (SET, ANALYZE TABLE's status rows are ignored). `timeout: false` for DDL. */
  async exec (sql: string, what: string, conn?: PoolConnection, opts: { timeout?: boolean } = {}): Promise<void> {
    const q = { sql: `${OWN_MARKER} ${sql}`, ...(this.#timeout > 0 && opts.timeout !== false ? { timeout: this.#timeout } : {}) }
    try {
      await (conn ?? this.pool).query(q)
    } catch (err) {
      throw toDbError(err, what, this.server)
    }
  }

  /** A dedicated connection for session settings (lock_wait_timeout); released whatever `fn` does. */
  async withConnection<T> (what: string, fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
    let conn: PoolConnection
    try {
      conn = await this.pool.getConnection()
    } catch (err) {
      throw toDbError(err, what, this.server)
    }
    try {
      return await fn(conn)
    } finally {
      conn.release()
    }
  }

  info (): Promise<ServerInfo> {
    this.#info ??= this.rows('SELECT VERSION() AS v', [], 'read the server version').then(rows => parseVersion(String(rows[0]?.v ?? '')))
    this.#info.catch(() => { this.#info = null })
    return this.#info
  }
}

export function parseVersion (v: string): ServerInfo {
  const m = /^(\d+)\.(\d+)/.exec(v)
  return { flavor: /mariadb/i.test(v) ? 'mariadb' : 'mysql', version: v, major: Number(m?.[1] ?? 0), minor: Number(m?.[2] ?? 0) }
}

/** `name` quoted as a MySQL identifier. */
export function quoteId (name: string): string {
  return '`' + name.replace(/`/g, '``') + '`'
}

export function qualified (schema: string, table: string): string {
  return `${quoteId(schema)}.${quoteId(table)}`
}
