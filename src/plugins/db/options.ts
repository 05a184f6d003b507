// The db: section and the core's mysql: section resolved once into the engine's options.
import { SIPUP_ERR_DB_NOT_CONFIGURED } from '../../errors.js'
import { redactUrl } from '../../config/redact.js'
import type { DesignOptions } from './index-design.js'
import type { DbSection, SourceName } from './schema.js'

export interface MysqlSettings {
  readonly url: string
  readonly poolSize: number
  readonly connectTimeout: number
  readonly queryTimeout: number
}

export interface DbOptions {
  /** The server as named in messages (password redacted). */
  server: string
  schemas: string[]
  auditSchema: string
  sources: SourceName[]
  processlistWindowMs: number
  processlistIntervalMs: number
  slowLogFile: string
  slowLogMaxAgeMs: number
  slowLogMaxBytes: number
  maxShapes: number
  analyzeStatements: boolean
  statementTimeoutMs: number
  explainConcurrency: number
  lockWaitTimeoutMs: number
  maxOnlineTableBytes: number
  verifyRuns: number
  minGain: number
  design: DesignOptions
  partitionMinRows: number
  queryTimeoutMs: number
  maintenance: { enabled: boolean, intervalMs: number }
}

/** The database named in a mysql:// URL's path, or ''. */
export function databaseOf (url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.replace(/^\//, '').split('/')[0] ?? '')
  } catch {
    return ''
  }
}

export function resolveDbOptions (db: DbSection, mysql: MysqlSettings): DbOptions {
  if (mysql.url === '') throw new SIPUP_ERR_DB_NOT_CONFIGURED('mysql.url is empty (set MYSQL_URL to the shop\'s database)')
  const schemas = db.schemas.length > 0 ? [...db.schemas] : [databaseOf(mysql.url)].filter(s => s !== '')
  if (schemas.length === 0) throw new SIPUP_ERR_DB_NOT_CONFIGURED('mysql.url names no database and db.schemas is empty')
  if (schemas.includes(db.auditSchema)) throw new SIPUP_ERR_DB_NOT_CONFIGURED(`db.auditSchema '${db.auditSchema}' is one of the analysed schemas: give the sidecar a schema of its own`)
  return {
    server: redactUrl(mysql.url),
    schemas,
    auditSchema: db.auditSchema,
    sources: [...db.sources],
    processlistWindowMs: db.processlistWindow,
    processlistIntervalMs: db.processlistInterval,
    slowLogFile: db.slowLogFile,
    slowLogMaxAgeMs: db.slowLogMaxAge,
    slowLogMaxBytes: db.slowLogMaxBytes,
    maxShapes: db.maxShapes,
    analyzeStatements: db.analyzeStatements,
    statementTimeoutMs: db.statementTimeout,
    explainConcurrency: db.explainConcurrency,
    lockWaitTimeoutMs: db.lockWaitTimeout,
    maxOnlineTableBytes: db.maxOnlineTableSize,
    verifyRuns: db.verifyRuns,
    minGain: db.minGain,
    design: { coveringMaxColumns: db.coveringMaxColumns, coveringMaxBytes: db.coveringMaxBytes },
    partitionMinRows: db.partitionMinRows,
    queryTimeoutMs: mysql.queryTimeout,
    maintenance: { enabled: db.maintenance.enabled, intervalMs: db.maintenance.interval }
  }
}
