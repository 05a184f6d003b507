// From query shapes to suggestions: parse each shape's sample, read the plan (EXPLAIN, or ANALYZE for real counts),
// design an index for each table the plan scans, skip it when an existing index already serves the shape, fold
// candidates so one index serves several shapes, and add the schema-wide findings: redundant and unused indexes
// and monthly partitioning candidates. Statements it can't use are reported with the reason, never fatal.
import type { Catalog, TableInfo } from './catalog.js'
import type { DbClient, ServerInfo } from './db-client.js'
import { qualified, quoteId } from './db-client.js'
import { addIndexDdl, dropIndexDdl, ignoreIndexDdl, monthlyPartitionDdl, TEXT_PREFIX } from './ddl.js'
import { explain, rowsRead, scanProblem, useSchema, type Plan, type PlanTable, type TaskLimiter } from './explain.js'
import {
  designIndex, driverAlias, indexName, mergeCandidates, resolveAlias, servedBy, suggestionId,
  type CandidateIndex, type DesignOptions
} from './index-design.js'
import { isCodedError as isCoded } from '../../errors.js'
import { statementKind } from './normalize.js'
import { findRedundant } from './redundant.js'
import { modelOf, UnreadableStatement, type QueryModel } from './sql-model.js'
import type { IndexUsage } from './sources/index-usage.js'
import type { Analysis, QueryShape, ShapeEvidence, SkippedShape, Suggestion } from './types.js'

export const SYSTEM_SCHEMAS = new Set(['mysql', 'information_schema', 'performance_schema', 'sys'])

/** Below this many rows a full scan costs about what an index lookup does: no index is proposed. */
export const SMALL_TABLE_ROWS = 1000

export interface AdvisorOptions {
  client: DbClient
  info: ServerInfo
  catalog: Catalog
  schemas: readonly string[]
  auditSchema: string
  analyzeStatements: boolean
  statementTimeoutMs: number
  limiter: TaskLimiter
  design: DesignOptions
  partitionMinRows: number
  /** Wall clock, for partition templates. @default () => new Date() */
  now?: () => Date
}

export type Advice = Pick<Analysis, 'suggestions' | 'served' | 'skipped' | 'tables'>

interface ShapeOutcome {
  skipped: SkippedShape | null
  served: Analysis['served']
  candidates: { candidate: CandidateIndex, help: ShapeEvidence, makesRedundant: string[] }[]
  tables: TableInfo[]
  model: QueryModel | null
  aliases: Map<string, TableInfo>
}

const lc = (s: string): string => s.toLowerCase()

export async function advise (opts: AdvisorOptions, shapes: readonly QueryShape[], usage: IndexUsage | null): Promise<Advice> {
  const outcomes = await Promise.all(shapes.map(s => opts.limiter.run(() => analyzeShape(opts, s))))
  const skipped: SkippedShape[] = []
  const served: Analysis['served'] = []
  const touched = new Map<string, TableInfo>()
  const items: { candidate: CandidateIndex, help: { evidence: ShapeEvidence, makesRedundant: string[] } }[] = []
  for (const o of outcomes) {
    if (o.skipped !== null) skipped.push(o.skipped)
    served.push(...o.served)
    for (const c of o.candidates) items.push({ candidate: c.candidate, help: { evidence: c.help, makesRedundant: c.makesRedundant } })
    for (const t of o.tables) touched.set(`${t.schema}.${t.name}`, t)
  }
  const suggestions: Suggestion[] = []
  for (const m of mergeCandidates(items)) {
    const t = touched.get(`${m.candidate.schema}.${m.candidate.table}`)
    if (t !== undefined) suggestions.push(addIndexSuggestion(m.candidate, m.helps.map(h => h.evidence), t, [...new Set(m.helps.flatMap(h => h.makesRedundant))]))
  }
  suggestions.sort((a, b) => totalMs(b) - totalMs(a))

  const schemaTables: TableInfo[] = []
  for (const schema of opts.schemas) {
    for (const name of await opts.catalog.tablesOf(schema)) {
      const t = await opts.catalog.table(schema, name)
      if (t !== null) schemaTables.push(t)
    }
  }
  const flagged = new Set<string>()
  for (const t of schemaTables) {
    for (const r of findRedundant(t.indexes)) {
      flagged.add(`${t.schema}.${t.name}.${r.index.name}`)
      suggestions.push(ignoreSuggestion(opts.info, t, r.index.name, 'redundant-index',
        r.kind === 'duplicate'
          ? `duplicate of ${r.coveredBy.name} (same columns): every write maintains both`
          : `left prefix of ${r.coveredBy.name} (${r.coveredBy.columns.map(c => c.name).join(', ')}): that index serves every lookup this one does`))
    }
  }
  if (usage?.available === true) {
    for (const u of usage.unused) {
      if (flagged.has(`${u.schema}.${u.table}.${u.index}`)) continue
      const t = schemaTables.find(x => x.schema === u.schema && x.name === u.table)
      const ix = t?.indexes.find(i => i.name === u.index)
      if (t === undefined || ix === undefined || ix.ignored || ix.unique) continue
      suggestions.push(ignoreSuggestion(opts.info, t, u.index, 'ignore-index',
        `no reads recorded by ${usage.source} while its table was read`))
    }
  }
  for (const p of await partitionCandidates(opts, outcomes)) suggestions.push(p)
  return { suggestions, served, skipped, tables: [...touched.keys()].sort() }
}

function totalMs (s: Suggestion): number {
  return s.shapes.reduce((n, x) => n + x.totalMs, 0)
}

async function analyzeShape (opts: AdvisorOptions, shape: QueryShape): Promise<ShapeOutcome> {
  const out: ShapeOutcome = { skipped: null, served: [], candidates: [], tables: [], model: null, aliases: new Map() }
  const skip = (reason: string): ShapeOutcome => { out.skipped = { fingerprint: shape.fingerprint, text: shape.text, reason }; return out }
  const kind = statementKind(shape.text)
  if (kind !== 'SELECT' && kind !== 'UPDATE' && kind !== 'DELETE') return skip(`${kind} statements are not analysed (only SELECT, UPDATE, DELETE)`)
  let model: QueryModel
  try {
    model = modelOf(shape.sample ?? shape.text)
  } catch (err) {
    if (err instanceof UnreadableStatement) return skip(err.message)
    throw err
  }
  out.model = model
  const schema = shape.schema ?? opts.schemas[0]
  for (const ref of model.tables) {
    const s = ref.schema ?? schema
    if (SYSTEM_SCHEMAS.has(lc(s)) || lc(s) === lc(opts.auditSchema)) return skip(`reads the system schema ${s}`)
    const t = await opts.catalog.table(s, ref.table)
    if (t === null) return skip(`table ${s}.${ref.table} not found (a view, a temporary table, or dropped since)`)
    out.aliases.set(ref.alias, t)
    out.tables.push(t)
  }
  let plan: Plan | null = null
  if (shape.sample !== null) {
    try {
      plan = await opts.client.withConnection('EXPLAIN a workload statement', async conn => {
        await useSchema(opts.client, conn, opts.info, schema, opts.statementTimeoutMs)
        return explain({ client: opts.client, info: opts.info, analyze: opts.analyzeStatements, statementTimeoutMs: opts.statementTimeoutMs },
          conn, shape.sample ?? '', model.kind === 'select')
      })
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code === 'SIPUP_ERR_DB_PRIVILEGE' || code === 'SIPUP_ERR_DB_UNREACHABLE') throw err
      return skip(`EXPLAIN failed: ${isCoded(err) ? err.message.replace(/^Database query failed while trying to [^:]+: /, '') : String(err)}`)
    }
  }
  const driver = driverAlias(model, out.aliases)
  for (const [alias, t] of out.aliases) {
    const pt = plan?.tables.find(x => lc(x.alias) === lc(alias)) ?? null
    const candidate = designIndex(model, alias, out.aliases, opts.design)
    const problems: string[] = []
    const scan = pt === null || plan === null || t.rows < SMALL_TABLE_ROWS ? null : scanProblem(pt, plan)
    if (scan !== null) problems.push(scan)
    if (plan !== null && alias === driver && t.rows >= SMALL_TABLE_ROWS && candidate?.sortsFor !== null && candidate?.sortsFor !== undefined) {
      if (plan.filesort) problems.push('filesort')
      if (plan.temporary) problems.push('temporary table')
    }
    if (plan === null && candidate !== null && t.rows >= SMALL_TABLE_ROWS) problems.push('no sample to EXPLAIN: advised from the statement text')
    const existing = candidate === null ? null : servedBy(t.indexes, candidate)
    if (problems.length === 0 || existing !== null) {
      if (pt?.key !== null && pt?.key !== undefined) out.served.push({ fingerprint: shape.fingerprint, text: shape.text, table: t.name, index: pt.key })
      else if (existing !== null) out.served.push({ fingerprint: shape.fingerprint, text: shape.text, table: t.name, index: existing.name })
      continue
    }
    if (candidate === null) {
      out.skipped ??= { fingerprint: shape.fingerprint, text: shape.text, reason: `${problems.join(' + ')} on ${t.name}, but no condition, join or order an index could use${model.notes.length > 0 ? ` (${model.notes.join('; ')})` : ''}` }
      continue
    }
    const estimate = await estimateAfter(opts, model, alias, out.aliases, candidate, pt)
    const perExec = shape.rowsExamined !== null && shape.count > 0 ? shape.rowsExamined / shape.count : null
    const now = pt === null ? perExec : rowsRead(pt)
    const help: ShapeEvidence = {
      fingerprint: shape.fingerprint,
      text: shape.text,
      count: shape.count,
      totalMs: shape.totalMs,
      problem: problems.join(' + '),
      rowsExaminedNow: now === null ? null : Math.round(now),
      rowsEstimatedAfter: estimate.rows,
      estimateFrom: estimate.from
    }
    const makesRedundant = t.indexes.filter(i => !i.primary && !i.unique && !i.ignored && i.columns.length < candidate.columns.length &&
      i.columns.every((c, k) => lc(c.name) === lc(candidate.columns[k]))).map(i => i.name)
    out.candidates.push({ candidate, help, makesRedundant })
  }
  return out
}

async function columnStats (client: DbClient, schema: string, table: string): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  try {
    const rows = await client.rows('SELECT column_name AS c, avg_frequency AS f FROM mysql.column_stats WHERE db_name = ? AND table_name = ?',
      [schema, table], 'read engine-independent column statistics')
    for (const r of rows) if (r.f !== null) out.set(lc(String(r.c)), Number(r.f))
  } catch {
    // MySQL has no mysql.column_stats; without it the estimate falls back to index statistics.
  }
  return out
}

/** Rows the candidate index would read per execution. */
async function estimateAfter (opts: AdvisorOptions, model: QueryModel, alias: string, tables: ReadonlyMap<string, TableInfo>,
  c: CandidateIndex, pt: PlanTable | null): Promise<{ rows: number | null, from: string | null }> {
  const t = tables.get(alias) as TableInfo
  const used = new Set([...c.eq, ...(c.range === null ? [] : [c.range])].map(lc))
  const coversAll = model.predicates.every(p => resolveAlias(p.ref, tables) !== alias || used.has(lc(p.ref.column)))
  const cap = (n: number): number => {
    const limited = model.limit !== null && c.sortsFor === 'order' ? Math.min(n, model.limit) : n
    return Math.max(1, Math.ceil(limited))
  }
  if (pt !== null && coversAll && pt.rRows !== null && pt.rFiltered !== null) {
    return { rows: cap(pt.rRows * (pt.rLoops ?? 1) * pt.rFiltered / 100), from: 'analyze' }
  }
  if (pt !== null && coversAll && pt.rows !== null && pt.filtered !== null && pt.filtered < 100) {
    return { rows: cap(pt.rows * pt.filtered / 100), from: 'histogram' }
  }
  if (c.eq.length > 0) {
    const stats = await columnStats(opts.client, t.schema, t.name)
    const freqs = c.eq.map(e => stats.get(lc(e))).filter((f): f is number => f !== undefined)
    if (freqs.length > 0) return { rows: cap(Math.min(...freqs)), from: 'column-stats' }
    const ix = t.indexes.find(i => lc(i.columns[0]?.name ?? '') === lc(c.eq[0]) && (i.columns[0].cardinality ?? 0) > 0)
    if (ix !== undefined) return { rows: cap(t.rows / (ix.columns[0].cardinality ?? 1)), from: 'index-stats' }
  }
  return { rows: null, from: null }
}

function addIndexSuggestion (c: CandidateIndex, helps: ShapeEvidence[], t: TableInfo, makesRedundant: string[]): Suggestion {
  const name = indexName(c.columns)
  const parts = c.columns.map(col => ({ name: col, prefix: (t.columns.get(lc(col))?.bytes ?? 0) === Number.POSITIVE_INFINITY ? TEXT_PREFIX : null }))
  const why: string[] = []
  if (c.eq.length > 0) why.push(`equality on ${c.eq.join(', ')}`)
  if (c.range !== null) why.push(`range on ${c.range}`)
  if (c.order.length > 0) why.push(`${c.sortsFor === 'group' ? 'GROUP BY' : 'ORDER BY'} ${c.order.join(', ')} from the index`)
  if (c.include.length > 0) why.push(`covering with ${c.include.join(', ')}`)
  const problems = [...new Set(helps.map(h => h.problem))].join('; ')
  const caveats = ['Built online (ALGORITHM=INPLACE, LOCK=NONE): reads and writes continue; needs free disk about the index size.']
  if (makesRedundant.length > 0) caveats.push(`Makes ${makesRedundant.join(', ')} redundant (a left prefix of this one): mark it IGNORED after checking.`)
  if (parts.some(p => p.prefix !== null)) caveats.push(`TEXT/BLOB columns are indexed on their first ${TEXT_PREFIX} characters.`)
  return {
    id: suggestionId('add-index', t.schema, t.name, c.columns),
    kind: 'add-index',
    applicable: true,
    title: `Add index ${name} on ${t.name} (${c.columns.join(', ')})`,
    schema: t.schema,
    table: t.name,
    index: name,
    columns: c.columns,
    reason: `${problems} in ${helps.length} shape(s); ${why.join(', ')}`,
    ddl: addIndexDdl(t.schema, t.name, name, parts),
    undoDdl: dropIndexDdl(t.schema, t.name, name),
    shapes: helps,
    tableRows: t.rows,
    tableBytes: t.dataBytes + t.indexBytes,
    caveats,
    tableFingerprint: t.fingerprint
  }
}

function ignoreSuggestion (info: ServerInfo, t: TableInfo, index: string, kind: 'redundant-index' | 'ignore-index', reason: string): Suggestion {
  const ix = t.indexes.find(i => i.name === index)
  const word = info.flavor === 'mariadb' ? 'IGNORED' : 'INVISIBLE'
  return {
    id: suggestionId(kind, t.schema, t.name, [index]),
    kind,
    applicable: true,
    title: `${kind === 'redundant-index' ? 'Redundant' : 'Unused'} index ${index} on ${t.name}: make it ${word}`,
    schema: t.schema,
    table: t.name,
    index,
    columns: ix?.columns.map(c => c.name) ?? [],
    reason,
    ddl: ignoreIndexDdl(info.flavor, t.schema, t.name, index, true),
    undoDdl: ignoreIndexDdl(info.flavor, t.schema, t.name, index, false),
    shapes: [],
    tableRows: t.rows,
    tableBytes: t.dataBytes + t.indexBytes,
    caveats: [
      `${word} first, never a direct DROP: the optimizer stops using it at once and undo is instant; drop it only after a full business cycle without regressions: ${dropIndexDdl(t.schema, t.name, index)}`,
      'A foreign key that relies on it keeps it in place: check SHOW CREATE TABLE before dropping.'
    ],
    tableFingerprint: t.fingerprint
  }
}

async function partitionCandidates (opts: AdvisorOptions, outcomes: readonly ShapeOutcome[]): Promise<Suggestion[]> {
  const uses = new Map<string, { table: TableInfo, column: string, shapes: number }>()
  for (const o of outcomes) {
    if (o.model === null) continue
    for (const p of o.model.predicates) {
      if (p.kind !== 'range') continue
      const alias = resolveAlias(p.ref, o.aliases)
      const t = alias === null ? undefined : o.aliases.get(alias)
      const col = t?.columns.get(lc(p.ref.column))
      if (t === undefined || col === undefined || !col.temporal || t.partitioned || t.rows < opts.partitionMinRows) continue
      const key = `${t.schema}.${t.name}.${col.name}`
      const have = uses.get(key)
      if (have === undefined) uses.set(key, { table: t, column: col.name, shapes: 1 })
      else have.shapes++
    }
  }
  // One candidate per table: the date column most range queries filter on.
  const best = new Map<string, { table: TableInfo, column: string, shapes: number }>()
  for (const u of uses.values()) {
    const k = `${u.table.schema}.${u.table.name}`
    if ((best.get(k)?.shapes ?? 0) < u.shapes) best.set(k, u)
  }
  const out: Suggestion[] = []
  for (const { table: t, column, shapes } of best.values()) {
    const now = (opts.now ?? (() => new Date()))()
    let from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 23, 1))
    let to = now
    const indexed = t.indexes.some(i => lc(i.columns[0]?.name ?? '') === lc(column))
    if (indexed) {
      const r = await opts.client.rows(`SELECT MIN(${quoteId(column)}) AS mn, MAX(${quoteId(column)}) AS mx FROM ${qualified(t.schema, t.name)}`,
        [], `read the date range of ${t.name}.${column}`)
      if (r[0]?.mn instanceof Date && r[0]?.mx instanceof Date) { from = r[0].mn; to = r[0].mx }
    }
    const caveats = [
      `Every PRIMARY KEY and UNIQUE key must include ${column}: ${t.indexes.filter(i => (i.primary || i.unique) && !i.columns.some(c => lc(c.name) === lc(column))).map(i => i.primary ? `PRIMARY KEY (${i.columns.map(c => c.name).join(', ')}) must become (${[...i.columns.map(c => c.name), column].join(', ')})` : `UNIQUE ${i.name} must add ${column}`).join('; ') || 'they already do'}.`,
      'InnoDB does not support foreign keys on partitioned tables: drop the ones to and from this table first.',
      'The statement rebuilds the whole table (ALGORITHM=COPY, writes blocked while it runs): use an online schema change tool or a maintenance window. The sidecar never applies it.',
      `Only queries that filter on ${column} are pruned to a few partitions; the others read every partition.`,
      'Add next month\'s partition every month (ALTER TABLE ... REORGANIZE PARTITION pmax INTO (...)), e.g. from a scheduled job.'
    ]
    if (!indexed) caveats.push(`The partition list starts 23 months ago because ${column} has no index to read its oldest value cheaply: adjust the first partition.`)
    out.push({
      id: suggestionId('partition', t.schema, t.name, [column]),
      kind: 'partition',
      applicable: false,
      title: `Partition ${t.name} by month of ${column} (report only)`,
      schema: t.schema,
      table: t.name,
      index: '',
      columns: [column],
      reason: `${t.rows} rows; ${shapes} range condition(s) in the workload filter on ${column}: monthly partitions let them read only the months they ask for, and old months can be dropped instantly`,
      ddl: monthlyPartitionDdl(t.schema, t.name, column, from, to),
      undoDdl: `ALTER TABLE ${qualified(t.schema, t.name)} REMOVE PARTITIONING`,
      shapes: [],
      tableRows: t.rows,
      tableBytes: t.dataBytes + t.indexBytes,
      caveats,
      tableFingerprint: t.fingerprint
    })
  }
  return out
}

