// The DB advisor's public contract: what a workload source yields, what the advisor proposes, what apply records.
// The engine is framework-free: it takes a mysql2/promise Pool, a prom-client Registry, a pino-like logger and
// options, so the CLI runs it without a proxy and the plugin without a second copy.
import type { SourceName } from './schema.js'

export type { SourceName }

/** The configurable sources, plus `statements`: a given list (tests, the bench, a file of statements). */
export type WorkloadSourceName = SourceName | 'statements'

/** The slice of pino the engine uses (a pino logger, fastify.log or a console shim all fit). */
export interface DbLogger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

/** A lock held by one instance of the fleet. */
export interface HeldLock {
  release(): Promise<void>
}

/**
 * Takes the named lock for at most `ttlMs`, or resolves null when another holder has it. The same name must mean
 * the same lock on every instance (Redis `SET NX PX` in the core; an in-process one for a single instance).
 * Never rejects for "taken"; may reject when the lock store itself fails.
 */
export type LockFn = (name: string, ttlMs: number) => Promise<HeldLock | null>

/** One normalized query shape and what the workload says about it. */
export interface QueryShape {
  /** 16 hex chars of the normalized text's hash: stable across runs and instances. */
  fingerprint: string
  /** The statement with literals replaced by `?` and IN lists folded to `IN (?)`. */
  text: string
  /** The default database the statement ran in, when the source knows it. */
  schema: string | null
  /** One real statement of this shape (for EXPLAIN); null when the source keeps none (digest on MariaDB). */
  sample: string | null
  count: number
  totalMs: number
  /** Total rows examined over `count` executions; null when the source doesn't say. */
  rowsExamined: number | null
  rowsSent: number | null
  sources: WorkloadSourceName[]
}

export interface SourceReport {
  source: WorkloadSourceName
  available: boolean
  /** Why it is not available, in plain words. */
  reason: string | null
  /** The one-line server setting that would enable it. */
  enable: string | null
  /** Shapes it yielded (before merging with other sources). */
  shapes: number
}

export interface SourceResult {
  report: SourceReport
  shapes: QueryShape[]
}

/** Something that yields the workload's query shapes (performance_schema, the slow log, the processlist...). */
export interface WorkloadSource {
  readonly name: WorkloadSourceName
  /** Never rejects because the server lacks the feature: says so in the report instead. May reject with a
   * coded DB error (src/errors.ts) for a missing privilege or an unreachable server. */
  collect(): Promise<SourceResult>
}

/** A statement the advisor could not use, with the reason. */
export interface SkippedShape {
  fingerprint: string
  text: string
  reason: string
}

export interface ColumnRef {
  table: string
  column: string
}

/** What one suggestion does for one shape. */
export interface ShapeEvidence {
  fingerprint: string
  text: string
  count: number
  totalMs: number
  /** The plan's problem on this table today: full scan, filesort, temporary table... */
  problem: string
  /** Rows examined per execution today (ANALYZE, else EXPLAIN, else the source). */
  rowsExaminedNow: number | null
  /** Rows the index would have to read per execution (statistics); null when nothing can estimate it. */
  rowsEstimatedAfter: number | null
  /** Where the estimate comes from: 'analyze' (real counts), 'histogram', 'column-stats', 'index-stats'. */
  estimateFrom: string | null
}

export type SuggestionKind = 'add-index' | 'ignore-index' | 'redundant-index' | 'partition'

export interface Suggestion {
  /** Stable id (hash of what it changes), the handle for apply. */
  id: string
  kind: SuggestionKind
  /** Only add-index and ignore-index are applied by the sidecar; the others are reports with DDL to run by hand. */
  applicable: boolean
  title: string
  schema: string
  table: string
  index: string
  columns: string[]
  /** Why, in plain words. */
  reason: string
  ddl: string
  /** The DDL that undoes it. */
  undoDdl: string | null
  shapes: ShapeEvidence[]
  tableRows: number
  /** data_length + index_length of the table, bytes. */
  tableBytes: number
  caveats: string[]
  /** Columns and indexes of the table when analysed, hashed: apply refuses when it changed since. */
  tableFingerprint: string
}

export interface Analysis {
  id: number | null
  createdAt: string
  createdBy: string
  server: string
  schemas: string[]
  sources: SourceReport[]
  /** Where unused-index evidence came from (userstat, sys.schema_unused_indexes) and whether it was there. */
  indexUsage: { source: string, available: boolean, reason: string | null, enable: string | null }
  shapes: QueryShape[]
  suggestions: Suggestion[]
  /** Shapes an existing index already serves, with the index. */
  served: { fingerprint: string, text: string, table: string, index: string }[]
  skipped: SkippedShape[]
  /** `schema.table` of every table the workload touched (maintenance refreshes their statistics). */
  tables: string[]
}

export interface ShapeTiming {
  fingerprint: string
  text: string
  medianMs: number | null
  rowsExamined: number | null
  /** The index the plan uses on the changed table after the change (null before, or when it isn't used). */
  usesIndex: boolean | null
}

export interface ChangeRecord {
  id: number
  suggestionId: string
  kind: SuggestionKind
  schema: string
  table: string
  index: string
  columns: string[]
  ddl: string
  undoDdl: string
  appliedBy: string
  appliedAt: string
  status: 'applied' | 'undone'
  undoneBy: string | null
  undoneAt: string | null
  before: ShapeTiming[]
  after: ShapeTiming[]
  /** before / after of the summed medians; null when nothing could be timed. */
  speedup: number | null
  verdict: 'helped' | 'no-gain' | 'unmeasured'
  createTableBefore: string
}

export interface ApplyPlan {
  suggestion: Suggestion
  dryRun: boolean
  before: ShapeTiming[]
  change: ChangeRecord | null
}
