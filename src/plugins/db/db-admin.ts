// The DB advisor's one entry point, shared by the admin routes and the `db` CLI command: analyse the workload,
// list, apply and undo suggestions, report, maintain statistics. Takes its dependencies explicitly (a mysql2
// Pool, a prom-client Registry, a logger, a lock function); owns nothing it must close.
import type { Pool } from 'mysql2/promise'
import type { Registry } from 'prom-client'
import {
  SIPUP_ERR_DB_CHANGE_NOT_FOUND, SIPUP_ERR_DB_NO_ANALYSIS, SIPUP_ERR_DB_SOURCE_UNAVAILABLE, SIPUP_ERR_DB_SUGGESTION_NOT_FOUND
} from '../../errors.js'
import { advise } from './advisor.js'
import { Applier, type ApplyOptions } from './applier.js'
import { AuditStore } from './audit-store.js'
import { Catalog } from './catalog.js'
import { DbClient } from './db-client.js'
import { TaskLimiter } from './explain.js'
import { AnalyzeScheduler, type MaintenanceRun } from './maintenance.js'
import { DbMetrics } from './metrics.js'
import { isCodedError as isCoded } from '../../errors.js'
import type { DbOptions } from './options.js'
import { checkPrivileges, type PrivilegeCheck } from './privileges.js'
import { buildReport, type DbReport } from './report.js'
import type { SourceName } from './schema.js'
import { mergeShapes } from './shape-book.js'
import { DigestSource } from './sources/digest-source.js'
import { readIndexUsage, type IndexUsage } from './sources/index-usage.js'
import { ProcesslistSource } from './sources/processlist-source.js'
import { SlowLogSource } from './sources/slow-log-source.js'
import { StatementsSource, type GivenStatement } from './sources/statements-source.js'
import type { Analysis, ApplyPlan, ChangeRecord, DbLogger, LockFn, SourceReport, WorkloadSource } from './types.js'

export interface DbAdminOptions {
  pool: Pool
  registry: Registry
  logger: DbLogger
  options: DbOptions
  /** Fleet-wide lock for DDL and maintenance. */
  lock: LockFn
  /** @default () => new Date() */
  now?: () => Date
}

export interface AnalyzeRequest {
  /** Sources to read; default: options.sources. */
  sources?: readonly SourceName[]
  /** Processlist sampling window, ms. */
  windowMs?: number
  /** Statements given directly (bench, tests, a file). */
  statements?: readonly GivenStatement[]
  /** Throw SIPUP_ERR_DB_SOURCE_UNAVAILABLE when a requested source can't be read (the CLI's --source X). */
  strict?: boolean
  actor: string
}

export class DbAdmin {
  readonly client: DbClient
  readonly options: DbOptions
  readonly audit: AuditStore
  readonly metrics: DbMetrics
  readonly #logger: DbLogger
  readonly #lock: LockFn
  readonly #limiter: TaskLimiter
  readonly #now: () => Date
  #scheduler: AnalyzeScheduler | null = null

  constructor (o: DbAdminOptions) {
    this.options = o.options
    this.client = new DbClient({ pool: o.pool, server: o.options.server, queryTimeoutMs: o.options.queryTimeoutMs })
    this.audit = new AuditStore(this.client, o.options.auditSchema)
    this.metrics = new DbMetrics(o.registry, o.pool)
    this.#logger = o.logger
    this.#lock = o.lock
    this.#limiter = new TaskLimiter(o.options.explainConcurrency)
    this.#now = o.now ?? (() => new Date())
  }

  #source (name: SourceName, windowMs: number | undefined): WorkloadSource {
    const o = this.options
    const common = { client: this.client, schemas: o.schemas, maxShapes: o.maxShapes }
    if (name === 'digest') return new DigestSource(common)
    if (name === 'slowlog') {
      return new SlowLogSource({ ...common, maxAgeMs: o.slowLogMaxAgeMs, file: o.slowLogFile, maxFileBytes: o.slowLogMaxBytes, now: () => this.#now().getTime() })
    }
    return new ProcesslistSource({ ...common, windowMs: windowMs ?? o.processlistWindowMs, intervalMs: o.processlistIntervalMs })
  }

  /** Reads the sources, advises, stores the analysis (the sidecar's schema) and returns it. */
  async analyze (req: AnalyzeRequest): Promise<Analysis> {
    try {
      const a = await this.#analyze(req)
      this.metrics.analyses.inc({ outcome: 'ok' })
      return a
    } catch (err) {
      this.metrics.analyses.inc({ outcome: 'error' })
      throw err
    }
  }

  async #analyze (req: AnalyzeRequest): Promise<Analysis> {
    const info = await this.client.info()
    await this.audit.ensure()
    const sources: WorkloadSource[] = (req.sources ?? (req.statements === undefined ? this.options.sources : []))
      .map(n => this.#source(n, req.windowMs))
    if (req.statements !== undefined) sources.push(new StatementsSource(req.statements, this.options.maxShapes))
    const reports: SourceReport[] = []
    const lists = []
    // One at a time: the processlist window would otherwise overlap the others' reads for nothing.
    for (const s of sources) {
      const r = await s.collect()
      if (!r.report.available && req.strict === true) {
        throw new SIPUP_ERR_DB_SOURCE_UNAVAILABLE(s.name, `${r.report.reason ?? ''}; to enable it: ${r.report.enable ?? '?'}`)
      }
      reports.push(r.report)
      lists.push(r.shapes)
    }
    let usage: IndexUsage | null = null
    try {
      usage = await readIndexUsage(this.client, this.options.schemas)
    } catch (err) {
      if (!isCoded(err)) throw err
      usage = { available: false, source: 'userstat', reason: err.message, enable: null, unused: [] }
    }
    const shapes = mergeShapes(lists, this.options.maxShapes).filter(s => s.schema === null || this.options.schemas.includes(s.schema))
    const catalog = new Catalog(this.client)
    const advice = await advise({
      client: this.client,
      info,
      catalog,
      schemas: this.options.schemas,
      auditSchema: this.options.auditSchema,
      analyzeStatements: this.options.analyzeStatements,
      statementTimeoutMs: this.options.statementTimeoutMs,
      limiter: this.#limiter,
      design: this.options.design,
      partitionMinRows: this.options.partitionMinRows,
      now: this.#now
    }, shapes, usage)
    const analysis: Analysis = {
      id: null,
      createdAt: this.#now().toISOString(),
      createdBy: req.actor,
      server: `${this.options.server} (${info.version})`,
      schemas: this.options.schemas,
      sources: reports,
      indexUsage: { source: usage.source, available: usage.available, reason: usage.reason, enable: usage.enable },
      shapes,
      ...advice
    }
    analysis.id = await this.audit.saveAnalysis(analysis)
    this.metrics.suggestions.reset()
    for (const s of analysis.suggestions) this.metrics.suggestions.inc({ kind: s.kind })
    this.#logger.info({ db: { analysis: analysis.id, shapes: shapes.length, suggestions: analysis.suggestions.length, skipped: analysis.skipped.length } },
      'db: workload analysed')
    return analysis
  }

  latest (): Promise<Analysis | null> {
    return this.audit.latestAnalysis()
  }

  async #requireLatest (): Promise<Analysis> {
    const a = await this.audit.latestAnalysis()
    if (a === null) throw new SIPUP_ERR_DB_NO_ANALYSIS()
    return a
  }

  #applier (info: Awaited<ReturnType<DbClient['info']>>): Applier {
    const o = this.options
    return new Applier({
      client: this.client,
      info,
      audit: this.audit,
      lock: this.#lock,
      logger: this.#logger,
      lockWaitTimeoutMs: o.lockWaitTimeoutMs,
      maxOnlineTableBytes: o.maxOnlineTableBytes,
      verifyRuns: o.verifyRuns,
      minGain: o.minGain,
      statementTimeoutMs: o.statementTimeoutMs,
      analyzeStatements: o.analyzeStatements
    })
  }

  /** Applies (or, with dryRun, plans) one suggestion of the latest analysis. */
  async apply (id: string, opts: ApplyOptions): Promise<ApplyPlan> {
    const analysis = await this.#requireLatest()
    const s = analysis.suggestions.find(x => x.id === id)
    if (s === undefined) throw new SIPUP_ERR_DB_SUGGESTION_NOT_FOUND(id)
    try {
      const plan = await this.#applier(await this.client.info()).apply(analysis, s, opts)
      if (!opts.dryRun) this.metrics.changes.inc({ action: 'apply', outcome: 'ok' })
      return plan
    } catch (err) {
      if (!opts.dryRun) this.metrics.changes.inc({ action: 'apply', outcome: 'refused' })
      throw err
    }
  }

  /** Undoes an applied change (the latest one when `id` is null). */
  async undo (id: number | null, actor: string): Promise<ChangeRecord> {
    const change = id === null ? (await this.audit.changes()).find(c => c.status === 'applied') ?? null : await this.audit.change(id)
    if (change === null || change.status !== 'applied') throw new SIPUP_ERR_DB_CHANGE_NOT_FOUND(id === null ? '(none applied)' : String(id))
    try {
      const undone = await this.#applier(await this.client.info()).undo(change, actor)
      this.metrics.changes.inc({ action: 'undo', outcome: 'ok' })
      return undone
    } catch (err) {
      this.metrics.changes.inc({ action: 'undo', outcome: 'refused' })
      throw err
    }
  }

  changes (): Promise<ChangeRecord[]> {
    return this.audit.changes()
  }

  async report (): Promise<DbReport> {
    return buildReport(this.client, this.options.schemas, await this.audit.latestAnalysis(), await this.audit.changes(20), this.#now())
  }

  privileges (): Promise<PrivilegeCheck> {
    return checkPrivileges(this.client, this.options.schemas, this.options.auditSchema)
  }

  /** The statistics maintenance, over the latest analysis's tables. */
  maintenance (): AnalyzeScheduler {
    this.#scheduler ??= new AnalyzeScheduler({
      client: this.client,
      lock: this.#lock,
      logger: this.#logger,
      intervalMs: this.options.maintenance.intervalMs,
      lockWaitTimeoutMs: this.options.lockWaitTimeoutMs,
      tables: async () => (await this.audit.latestAnalysis())?.tables ?? [],
      onRun: outcome => { this.metrics.maintenance.inc({ outcome }) },
      now: () => this.#now().getTime()
    })
    return this.#scheduler
  }

  runMaintenance (): Promise<MaintenanceRun> {
    return this.maintenance().tick()
  }
}
