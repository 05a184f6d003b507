// `db report`: table and index sizes, fragmentation (data_free), the top shapes by total time, and the latest
// analysis's findings, as data (--json, the admin API) and as text.
import type { DbClient } from './db-client.js'
import { formatBytes, formatCount, formatMs, formatRatio } from './format.js'
import type { Analysis, ChangeRecord, QueryShape, Suggestion } from './types.js'

export interface TableReport {
  schema: string
  table: string
  engine: string
  rows: number
  dataBytes: number
  indexBytes: number
  dataFree: number
  /** data_free / (data + index + data_free): space a rebuild (OPTIMIZE TABLE) would give back. */
  fragmentation: number
  indexes: { name: string, columns: string[], bytes: number | null }[]
}

export interface DbReport {
  generatedAt: string
  schemas: string[]
  tables: TableReport[]
  analysis: { id: number | null, createdAt: string, createdBy: string, sources: Analysis['sources'], indexUsage: Analysis['indexUsage'] } | null
  topShapes: QueryShape[]
  suggestions: Suggestion[]
  redundant: Suggestion[]
  unused: Suggestion[]
  partitioning: Suggestion[]
  skipped: Analysis['skipped']
  changes: ChangeRecord[]
}

const TOP_SHAPES = 20

export async function buildReport (client: DbClient, schemas: readonly string[], analysis: Analysis | null,
  changes: ChangeRecord[], now: Date): Promise<DbReport> {
  const rows = await client.rows(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, ENGINE AS e, TABLE_ROWS AS r, DATA_LENGTH AS d, INDEX_LENGTH AS i, DATA_FREE AS f
     FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (?) AND TABLE_TYPE = 'BASE TABLE' ORDER BY DATA_LENGTH + INDEX_LENGTH DESC`,
    [schemas], 'read table sizes')
  const idx = await client.rows(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS t, INDEX_NAME AS i, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS c
     FROM information_schema.STATISTICS WHERE TABLE_SCHEMA IN (?) GROUP BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME`, [schemas], 'read indexes')
  let sizes: { s: string, t: string, i: string, b: number }[] = []
  try {
    sizes = (await client.rows(
      `SELECT database_name AS s, table_name AS t, index_name AS i, stat_value * @@innodb_page_size AS b FROM mysql.innodb_index_stats
       WHERE database_name IN (?) AND stat_name = 'size'`, [schemas], 'read index sizes')).map(r => ({ s: String(r.s), t: String(r.t), i: String(r.i), b: Number(r.b) }))
  } catch {
    // Without SELECT on mysql.innodb_index_stats the per-index sizes are unknown; the totals still show.
  }
  const tables: TableReport[] = rows.map(r => {
    const d = Number(r.d ?? 0)
    const i = Number(r.i ?? 0)
    const f = Number(r.f ?? 0)
    const s = String(r.s)
    const t = String(r.t)
    return {
      schema: s,
      table: t,
      engine: String(r.e ?? ''),
      rows: Number(r.r ?? 0),
      dataBytes: d,
      indexBytes: i,
      dataFree: f,
      fragmentation: d + i + f === 0 ? 0 : f / (d + i + f),
      indexes: idx.filter(x => x.s === s && x.t === t).map(x => ({
        name: String(x.i),
        columns: String(x.c).split(','),
        bytes: sizes.find(z => z.s === s && z.t === t && z.i === String(x.i))?.b ?? null
      }))
    }
  })
  const by = (kind: Suggestion['kind']): Suggestion[] => analysis?.suggestions.filter(x => x.kind === kind) ?? []
  return {
    generatedAt: now.toISOString(),
    schemas: [...schemas],
    tables,
    analysis: analysis === null ? null : { id: analysis.id, createdAt: analysis.createdAt, createdBy: analysis.createdBy, sources: analysis.sources, indexUsage: analysis.indexUsage },
    topShapes: [...(analysis?.shapes ?? [])].sort((a, b) => b.totalMs - a.totalMs).slice(0, TOP_SHAPES),
    suggestions: by('add-index'),
    redundant: by('redundant-index'),
    unused: by('ignore-index'),
    partitioning: by('partition'),
    skipped: analysis?.skipped ?? [],
    changes
  }
}

function line (cells: readonly string[], widths: readonly number[]): string {
  return cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i])).join('  ')
}

function table (head: readonly string[], rows: readonly string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map(r => r[i]?.length ?? 0)))
  return [line(head, widths), ...rows.map(r => line(r, widths))]
}

export function formatSuggestion (s: Suggestion): string[] {
  const out = [`[${s.id}] ${s.title}`, `    why: ${s.reason}`, `    table: ${formatCount(s.tableRows)} rows, ${formatBytes(s.tableBytes)}`]
  for (const h of s.shapes) {
    out.push(`    helps: ${h.text.slice(0, 140)}`,
      `      ${h.count}x, ${formatMs(h.totalMs)} total; ${h.problem}; rows examined ${formatCount(h.rowsExaminedNow)} -> ~${formatCount(h.rowsEstimatedAfter)}${h.estimateFrom === null ? '' : ` (${h.estimateFrom})`}`)
  }
  out.push(`    ddl: ${s.ddl}`)
  for (const c of s.caveats) out.push(`    note: ${c}`)
  return out
}

export function formatSources (sources: Analysis['sources'], usage: Analysis['indexUsage'] | null): string[] {
  const out = sources.map(s => s.available ? `  ${s.source}: ${s.shapes} shape(s)` : `  ${s.source}: not available (${s.reason ?? '?'}); enable: ${s.enable ?? '?'}`)
  if (usage !== null) out.push(usage.available ? `  ${usage.source}: index usage read` : `  ${usage.source}: not available (${usage.reason ?? '?'})${usage.enable === null ? '' : `; enable: ${usage.enable}`}`)
  return out
}

export function formatAnalysis (a: Analysis): string {
  const out: string[] = [`Analysis ${a.id ?? '-'} of ${a.schemas.join(', ')} on ${a.server}, ${a.createdAt}`, 'Sources:', ...formatSources(a.sources, a.indexUsage), '']
  const applicable = a.suggestions.filter(s => s.kind !== 'partition')
  out.push(applicable.length === 0 ? 'No index suggestions.' : `Suggestions (${applicable.length}):`)
  for (const s of applicable) out.push(...formatSuggestion(s), '')
  for (const s of a.suggestions.filter(x => x.kind === 'partition')) out.push(...formatSuggestion(s), '')
  if (a.served.length > 0) {
    out.push('Already served by an index:')
    for (const s of a.served) out.push(`  ${s.table}.${s.index}: ${s.text.slice(0, 120)}`)
    out.push('')
  }
  if (a.skipped.length > 0) {
    out.push('Skipped:')
    for (const s of a.skipped) out.push(`  ${s.text.slice(0, 120)}`, `    reason: ${s.reason}`)
    out.push('')
  }
  out.push('Apply with: sipup-sidecar db apply --yes ID...   (without --yes: dry run)')
  return out.join('\n')
}

export function formatChange (c: ChangeRecord): string {
  return `#${c.id} ${c.status} ${c.kind} ${c.index} on ${c.schema}.${c.table} by ${c.appliedBy} at ${c.appliedAt}; ` +
    `speed-up ${formatRatio(c.speedup)} (${c.verdict})${c.undoneAt === null ? '' : `; undone by ${c.undoneBy ?? '?'} at ${c.undoneAt}`}`
}

export function formatReport (r: DbReport): string {
  const out: string[] = [`DB report for ${r.schemas.join(', ')}, ${r.generatedAt}`, '', 'Tables:']
  out.push(...table(['table', 'rows', 'data', 'indexes', 'data_free', 'frag'], r.tables.map(t => [
    `${t.schema}.${t.table}`, formatCount(t.rows), formatBytes(t.dataBytes), formatBytes(t.indexBytes), formatBytes(t.dataFree), `${Math.round(t.fragmentation * 100)}%`
  ])).map(l => `  ${l}`))
  out.push('', 'Indexes:')
  for (const t of r.tables) for (const i of t.indexes) out.push(`  ${t.table}.${i.name} (${i.columns.join(', ')}) ${i.bytes === null ? '' : formatBytes(i.bytes)}`)
  if (r.analysis === null) {
    out.push('', 'No analysis yet: run `sipup-sidecar db analyze` for shapes and suggestions.')
    return out.join('\n')
  }
  out.push('', `Latest analysis ${r.analysis.id ?? '-'} (${r.analysis.createdAt}, by ${r.analysis.createdBy}):`, ...formatSources(r.analysis.sources, r.analysis.indexUsage))
  out.push('', 'Top shapes by total time:')
  out.push(...table(['total', 'count', 'avg', 'rows exam.', 'shape'], r.topShapes.map(s => [
    formatMs(s.totalMs), String(s.count), formatMs(s.totalMs / Math.max(1, s.count)),
    s.rowsExamined === null ? '?' : formatCount(s.rowsExamined / Math.max(1, s.count)), s.text.slice(0, 100)
  ])).map(l => `  ${l}`))
  for (const [title, list] of [['Index suggestions', r.suggestions], ['Redundant indexes', r.redundant], ['Unused indexes', r.unused], ['Partitioning candidates', r.partitioning]] as const) {
    out.push('', `${title}: ${list.length === 0 ? 'none' : ''}`)
    for (const s of list) out.push(...formatSuggestion(s).map(l => `  ${l}`))
  }
  if (r.skipped.length > 0) {
    out.push('', 'Skipped statements:')
    for (const s of r.skipped) out.push(`  ${s.text.slice(0, 100)}: ${s.reason}`)
  }
  if (r.changes.length > 0) {
    out.push('', 'Changes made by the sidecar:')
    for (const c of r.changes) out.push(`  ${formatChange(c)}`)
  }
  return out.join('\n')
}
