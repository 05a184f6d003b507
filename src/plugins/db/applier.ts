// Apply and undo, one change at a time under the fleet's DDL lock: check the table is still as analysed and not
// too large, time the helped shapes, run the DDL online with a bounded lock_wait_timeout (so it never queues
// behind a long transaction while every later query on the table queues behind it), time them again, and record
// it all in the audit table. Undo runs only on what the audit table says the sidecar did, and only if the index
// is still exactly what it added.
import type { PoolConnection } from 'mysql2/promise'
import {
  SIPUP_ERR_DB_BUSY, SIPUP_ERR_DB_LOCK_TIMEOUT, SIPUP_ERR_DB_NOT_APPLICABLE, SIPUP_ERR_DB_NOT_ONLINE,
  SIPUP_ERR_DB_TABLE_CHANGED, SIPUP_ERR_DB_TABLE_TOO_LARGE
} from '../../errors.js'
import { formatBytes } from './format.js'
import type { AuditStore } from './audit-store.js'
import { readTable, showCreateTable, type TableInfo } from './catalog.js'
import type { DbClient, ServerInfo } from './db-client.js'
import { explain, rowsRead, timeStatement, useSchema } from './explain.js'
import { serves } from './index-design.js'
import { toDbError, type DriverError } from './mysql-errors.js'
import { OWN_MARKER, statementKind } from './normalize.js'
import type { Analysis, ApplyPlan, ChangeRecord, DbLogger, LockFn, ShapeTiming, Suggestion } from './types.js'

/** Longest a DDL may hold the fleet's lock (an index build on a large table takes minutes). */
export const DDL_LOCK_TTL_MS = 3_600_000
export const DDL_LOCK = 'db:ddl'

export interface ApplierOptions {
  client: DbClient
  info: ServerInfo
  audit: AuditStore
  lock: LockFn
  logger: DbLogger
  lockWaitTimeoutMs: number
  maxOnlineTableBytes: number
  verifyRuns: number
  minGain: number
  statementTimeoutMs: number
  analyzeStatements: boolean
}

export interface ApplyOptions {
  actor: string
  allowLarge: boolean
  dryRun: boolean
}

const lc = (s: string): string => s.toLowerCase()

export class Applier {
  readonly #o: ApplierOptions

  constructor (opts: ApplierOptions) {
    this.#o = opts
  }

  async apply (analysis: Analysis, s: Suggestion, opts: ApplyOptions): Promise<ApplyPlan> {
    if (!s.applicable) throw new SIPUP_ERR_DB_NOT_APPLICABLE(s.id, `${s.kind} suggestions are reports; run the DDL yourself if you want it`)
    const t = await readTable(this.#o.client, s.schema, s.table)
    if (t === null) throw new SIPUP_ERR_DB_TABLE_CHANGED(`${s.schema}.${s.table}`, 'the table no longer exists')
    this.#checkUnchanged(s, t)
    const bytes = t.dataBytes + t.indexBytes
    if (s.kind === 'add-index' && bytes > this.#o.maxOnlineTableBytes && !opts.allowLarge) {
      throw new SIPUP_ERR_DB_TABLE_TOO_LARGE(`${s.schema}.${s.table}`, formatBytes(bytes), formatBytes(this.#o.maxOnlineTableBytes))
    }
    const timed = s.kind === 'add-index'
    const before = timed ? await this.#measure(analysis, s) : []
    if (opts.dryRun) return { suggestion: s, dryRun: true, before, change: null }

    const held = await this.#o.lock(DDL_LOCK, DDL_LOCK_TTL_MS)
    if (held === null) throw new SIPUP_ERR_DB_BUSY('changing the schema')
    try {
      const createTableBefore = await showCreateTable(this.#o.client, s.schema, s.table)
      await this.#runDdl(s.ddl, `${s.schema}.${s.table}`)
      this.#o.logger.info({ db: { suggestion: s.id, ddl: s.ddl, actor: opts.actor } }, `db: applied ${s.title}`)
      const after = timed ? await this.#measure(analysis, s) : []
      const speedup = speedupOf(before, after)
      const verdict: ChangeRecord['verdict'] = speedup === null ? 'unmeasured' : speedup >= this.#o.minGain ? 'helped' : 'no-gain'
      const change = await this.#o.audit.addChange({
        suggestionId: s.id,
        kind: s.kind,
        schema: s.schema,
        table: s.table,
        index: s.index,
        columns: s.columns,
        ddl: s.ddl,
        undoDdl: s.undoDdl ?? '',
        appliedBy: opts.actor,
        before,
        after,
        speedup,
        verdict,
        createTableBefore
      })
      return { suggestion: s, dryRun: false, before, change }
    } finally {
      await held.release().catch(() => undefined)
    }
  }

  async undo (c: ChangeRecord, actor: string): Promise<ChangeRecord> {
    const t = await readTable(this.#o.client, c.schema, c.table)
    const where = `${c.schema}.${c.table}`
    if (t === null) throw new SIPUP_ERR_DB_TABLE_CHANGED(where, 'the table no longer exists')
    const ix = t.indexes.find(i => i.name === c.index)
    const cols = ix?.columns.map(x => lc(x.name)).join(',')
    if (ix === undefined) throw new SIPUP_ERR_DB_TABLE_CHANGED(where, `index ${c.index} is gone: someone dropped it, nothing to undo`)
    if (cols !== c.columns.map(lc).join(',')) {
      throw new SIPUP_ERR_DB_TABLE_CHANGED(where, `index ${c.index} is now on (${ix.columns.map(x => x.name).join(', ')}), not the (${c.columns.join(', ')}) the sidecar added: left alone`)
    }
    if (c.kind !== 'add-index' && !ix.ignored) throw new SIPUP_ERR_DB_TABLE_CHANGED(where, `index ${c.index} is no longer IGNORED/INVISIBLE: left alone`)
    const held = await this.#o.lock(DDL_LOCK, DDL_LOCK_TTL_MS)
    if (held === null) throw new SIPUP_ERR_DB_BUSY('changing the schema')
    try {
      await this.#runDdl(c.undoDdl, where)
      this.#o.logger.info({ db: { change: c.id, ddl: c.undoDdl, actor } }, `db: undid change ${c.id} (${c.index} on ${c.table})`)
      return await this.#o.audit.markUndone(c.id, actor)
    } finally {
      await held.release().catch(() => undefined)
    }
  }

  /** Refuses when the table differs from the analysis in a way that matters for this change. Changes that don't
   * (another suggestion applied on the same table since) pass. */
  #checkUnchanged (s: Suggestion, t: TableInfo): void {
    if (t.fingerprint === s.tableFingerprint) return
    const where = `${s.schema}.${s.table}`
    const missing = s.columns.filter(c => !t.columns.has(lc(c)))
    if (missing.length > 0) throw new SIPUP_ERR_DB_TABLE_CHANGED(where, `column(s) ${missing.join(', ')} no longer exist`)
    const ix = t.indexes.find(i => lc(i.name) === lc(s.index))
    if (s.kind === 'add-index') {
      if (ix !== undefined) throw new SIPUP_ERR_DB_TABLE_CHANGED(where, `an index named ${s.index} exists already`)
      const key = s.columns
      const taken = t.indexes.find(i => !i.ignored && serves(i.columns.map(c => c.name), { eq: [], range: null, order: key }))
      if (taken !== undefined) throw new SIPUP_ERR_DB_TABLE_CHANGED(where, `index ${taken.name} now covers (${key.join(', ')})`)
    } else {
      if (ix === undefined) throw new SIPUP_ERR_DB_TABLE_CHANGED(where, `index ${s.index} no longer exists`)
      if (ix.ignored) throw new SIPUP_ERR_DB_NOT_APPLICABLE(s.id, `index ${s.index} is already IGNORED/INVISIBLE`)
      if (ix.columns.map(c => lc(c.name)).join(',') !== s.columns.map(lc).join(',')) {
        throw new SIPUP_ERR_DB_TABLE_CHANGED(where, `index ${s.index} now has other columns`)
      }
    }
  }

  async #runDdl (ddl: string, where: string): Promise<void> {
    const { client, info } = this.#o
    const seconds = Math.max(1, Math.ceil(this.#o.lockWaitTimeoutMs / 1000))
    await client.withConnection(`change ${where}`, async (conn: PoolConnection) => {
      await client.exec(`SET SESSION lock_wait_timeout = ${seconds}`, 'bound lock_wait_timeout for DDL', conn)
      // A server-wide statement time limit must not cut an index build short.
      if (info.flavor === 'mariadb') await client.exec('SET SESSION max_statement_time = 0', 'lift max_statement_time for DDL', conn)
      try {
        await conn.query(`${OWN_MARKER} ${ddl}`)
      } catch (err) {
        const e = err as DriverError
        if (e.code === 'ER_ALTER_OPERATION_NOT_SUPPORTED_REASON' || e.code === 'ER_ALTER_OPERATION_NOT_SUPPORTED' || e.errno === 1846 || e.errno === 1845) {
          throw new SIPUP_ERR_DB_NOT_ONLINE(ddl, e.sqlMessage ?? e.message)
        }
        if (e.code === 'ER_LOCK_WAIT_TIMEOUT' || e.errno === 1205) throw new SIPUP_ERR_DB_LOCK_TIMEOUT(ddl, seconds)
        if (e.code === 'ER_DUP_KEYNAME' || e.errno === 1061) throw new SIPUP_ERR_DB_TABLE_CHANGED(where, 'an index of that name exists already')
        if (e.code === 'ER_CANT_DROP_FIELD_OR_KEY' || e.errno === 1091) throw new SIPUP_ERR_DB_TABLE_CHANGED(where, 'the index is gone')
        throw toDbError(err, `run ${ddl}`, client.server)
      } finally {
        await client.exec('SET SESSION lock_wait_timeout = DEFAULT', 'restore lock_wait_timeout', conn).catch(() => undefined)
        if (info.flavor === 'mariadb') await client.exec('SET SESSION max_statement_time = DEFAULT', 'restore max_statement_time', conn).catch(() => undefined)
      }
    })
  }

  /** Median time and rows read of each helped SELECT shape, run on one connection in the shape's schema. */
  async #measure (analysis: Analysis, s: Suggestion): Promise<ShapeTiming[]> {
    const out: ShapeTiming[] = []
    const schemaOf = new Map(analysis.shapes.map(x => [x.fingerprint, x]))
    const opts = { client: this.#o.client, info: this.#o.info, analyze: this.#o.analyzeStatements, statementTimeoutMs: this.#o.statementTimeoutMs }
    for (const h of s.shapes) {
      const shape = schemaOf.get(h.fingerprint)
      const sample = shape?.sample ?? null
      if (sample === null || statementKind(shape?.text ?? '') !== 'SELECT') {
        out.push({ fingerprint: h.fingerprint, text: h.text, medianMs: null, rowsExamined: null, usesIndex: null })
        continue
      }
      const timing = await this.#o.client.withConnection('time a helped statement', async conn => {
        await useSchema(this.#o.client, conn, this.#o.info, shape?.schema ?? s.schema, this.#o.statementTimeoutMs)
        const plan = await explain(opts, conn, sample, true)
        const medianMs = await timeStatement(opts, conn, sample, this.#o.verifyRuns)
        const rows = plan.tables.reduce((n, t) => n + (rowsRead(t) ?? 0), 0)
        return { medianMs, rowsExamined: Math.round(rows), usesIndex: plan.tables.some(t => t.key === s.index) }
      })
      out.push({ fingerprint: h.fingerprint, text: h.text, ...timing })
    }
    return out
  }
}

/** Summed median time before / after, over the shapes timed both times. */
export function speedupOf (before: readonly ShapeTiming[], after: readonly ShapeTiming[]): number | null {
  let b = 0
  let a = 0
  for (const x of before) {
    const y = after.find(z => z.fingerprint === x.fingerprint)
    if (x.medianMs === null || y?.medianMs === null || y === undefined) continue
    b += x.medianMs
    a += y.medianMs
  }
  if (b === 0 || a === 0) return null
  return b / a
}
