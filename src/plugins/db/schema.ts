// The `db:` config section: the DB advisor (workload sources, index advice, online apply and undo, maintenance).
// The connection itself (URL, pool size, timeouts) is the core's `mysql:` section.
import { Type, type Static } from '@sinclair/typebox'
import { Bytes, Duration } from '../../config/units.js'
import { Bool, Int, Str, StrList } from '../../config/schema-helpers.js'
import type { DeepReadonly } from '../../config/deep-readonly.js'

export const SOURCE_NAMES = ['digest', 'slowlog', 'processlist'] as const

const SourceName = Type.Union(SOURCE_NAMES.map(s => Type.Literal(s)))

export const MaintenanceSchema = Type.Object({
  enabled: Bool('Run `ANALYZE TABLE` on the tables the analysed workload touches, once per `interval` across the ' +
    'fleet (a shared lock picks one instance).', true),
  interval: Duration({ description: 'How often index statistics are refreshed.', default: '7d' })
}, { additionalProperties: false, description: 'Scheduled index-statistics maintenance.', default: {} })

export const DbSchema = Type.Object({
  enabled: Bool('Serve the DB advisor in the admin API and dashboard, and run its maintenance (needs `mysql.url`).', false),
  schemas: StrList('Databases whose workload is analysed; empty = the database named in `mysql.url`.', []),
  auditSchema: Str('The sidecar\'s own database, created if missing: it holds the audit table of applied changes ' +
    '(so `db undo` drops exactly what the sidecar added) and the latest analyses.', 'sipup_sidecar'),
  sources: Type.Array(SourceName, {
    description: 'Workload sources used by `db analyze --source all` and the dashboard, each skipped with the ' +
      'setting that would enable it when the server can\'t provide it: `digest` (performance_schema), `slowlog` ' +
      '(mysql.slow_log or the slow log file), `processlist` (sampling, needs no server setting).',
    default: [...SOURCE_NAMES]
  }),
  processlistWindow: Duration({ description: 'How long the processlist source samples running statements.', default: '60s' }),
  processlistInterval: Duration({ description: 'Time between two processlist samples.', default: '100ms' }),
  slowLogFile: Str('Path of the slow query log file to read when `log_output` is FILE; empty = the server\'s ' +
    '`slow_query_log_file` when it is an absolute path readable by the sidecar.', ''),
  slowLogMaxAge: Duration({ description: 'Slow log entries older than this are ignored.', default: '24h' }),
  slowLogMaxBytes: Bytes({ description: 'Only the last this many bytes of a slow log file are read.', default: '64MB' }),
  maxShapes: Int('Query shapes kept per analysis (the most expensive by total time).', 200, 1, 10_000),
  analyzeStatements: Bool('Run a SELECT shape\'s sample with MariaDB `ANALYZE FORMAT=JSON` (it executes the query) ' +
    'to get real row counts; off = `EXPLAIN FORMAT=JSON` estimates only. Never used for other statements.', true),
  statementTimeout: Duration({ description: 'Longest an EXPLAIN, ANALYZE or timing run of one sample may take ' +
    '(server-side `max_statement_time` on MariaDB).', default: '10s' }),
  explainConcurrency: Int('Statements the advisor EXPLAINs or times at once, so analysis never crowds the shop.', 2, 1, 16),
  lockWaitTimeout: Duration({ description: 'Session `lock_wait_timeout` for DDL: how long an index build may wait ' +
    'for the table\'s metadata lock before giving up (the server default, 1 day, would block every later query on ' +
    'the table behind a long transaction).', default: '5s' }),
  maxOnlineTableSize: Bytes({ description: 'Tables larger than this (data + indexes) need `--allow-large` ' +
    '(`allowLarge: true`) before an index is built on them.', default: '1GB' }),
  verifyRuns: Int('Times each helped SELECT shape is run before and after a change to measure it (median).', 5, 1, 50),
  minGain: Type.Number({ description: 'Speed-up (before / after median time) below which an applied index is ' +
    'reported as not helping and offered for undo.', default: 1.5, minimum: 1 }),
  coveringMaxColumns: Int('Extra columns an index may carry to cover a query (skip the table lookup).', 2, 0, 8),
  coveringMaxBytes: Int('Largest total width in bytes of those extra columns.', 16, 0, 256),
  partitionMinRows: Int('Tables with at least this many rows and a date column that range queries filter on are ' +
    'reported as monthly RANGE partitioning candidates (report only).', 5_000_000, 1),
  maintenance: MaintenanceSchema
}, { additionalProperties: false, description: 'The DB advisor: finds missing and redundant indexes from the real workload, applies them online, proves the gain, undoes.', default: {} })

export type DbSection = DeepReadonly<Static<typeof DbSchema>>
export type SourceName = typeof SOURCE_NAMES[number]
