// Index design from a query model, as pure functions over plain data (unit-tested without a server):
// equality columns first, then one range column, then the ORDER BY / GROUP BY columns when no range came before
// them (after a range the index can't deliver the order); covering columns when they are few and narrow; nothing
// when an existing index already serves the shape, including as its left prefix.
import { createHash } from 'node:crypto'
import type { IndexInfo, TableInfo } from './catalog.js'
import type { ColRef, QueryModel } from './sql-model.js'

export interface DesignOptions {
  coveringMaxColumns: number
  coveringMaxBytes: number
}

export interface CandidateIndex {
  schema: string
  table: string
  /** Equality columns (=, IN, IS NULL, join columns of an inner table), any order serves them. */
  eq: string[]
  /** IN-list columns among `eq` (they break an index-provided order after them). */
  inList: string[]
  range: string | null
  /** ORDER BY / GROUP BY columns the index delivers in order. */
  order: string[]
  /** Extra columns that make the index covering. */
  include: string[]
  /** All columns in index order. */
  columns: string[]
  sortsFor: 'order' | 'group' | null
}

const lc = (s: string): string => s.toLowerCase()

/** The alias a column reference belongs to: its qualifier, or the only table that has the column. */
export function resolveAlias (ref: ColRef, tables: ReadonlyMap<string, TableInfo>): string | null {
  if (ref.qualifier !== null) {
    for (const alias of tables.keys()) if (lc(alias) === lc(ref.qualifier)) return alias
    return null
  }
  let found: string | null = null
  for (const [alias, t] of tables) {
    if (t.columns.has(lc(ref.column))) {
      if (found !== null) return null
      found = alias
    }
  }
  return found
}

/** The table a join starts from: the first (in FROM order) with constant conditions, else the first. */
export function driverAlias (model: QueryModel, tables: ReadonlyMap<string, TableInfo>): string {
  for (const t of model.tables) {
    if (model.predicates.some(p => resolveAlias(p.ref, tables) === t.alias)) return t.alias
  }
  return model.tables[0].alias
}

function pushUnique (list: string[], col: string): void {
  if (!list.some(c => lc(c) === lc(col))) list.push(col)
}

/** The index that would serve `alias` in this statement, or null when no condition, join or order can use one. */
export function designIndex (model: QueryModel, alias: string, tables: ReadonlyMap<string, TableInfo>, opts: DesignOptions): CandidateIndex | null {
  const t = tables.get(alias)
  if (t === undefined) return null
  const colName = (ref: ColRef): string | null => t.columns.get(lc(ref.column))?.name ?? null
  const mine = (ref: ColRef): boolean => resolveAlias(ref, tables) === alias
  const eq: string[] = []
  const inList: string[] = []
  const driver = driverAlias(model, tables)
  // An inner table of a join is reached by its join columns: they are equalities for each outer row.
  if (alias !== driver) {
    for (const j of model.joins) {
      const [me, other] = mine(j.left) ? [j.left, j.right] : mine(j.right) ? [j.right, j.left] : [null, null]
      if (me === null || other === null || resolveAlias(other, tables) === alias) continue
      const c = colName(me)
      if (c !== null) pushUnique(eq, c)
    }
  }
  for (const p of model.predicates) {
    if (!mine(p.ref) || (p.kind !== 'eq' && p.kind !== 'null')) continue
    const c = colName(p.ref)
    if (c !== null) pushUnique(eq, c)
  }
  for (const p of model.predicates) {
    if (!mine(p.ref) || p.kind !== 'in') continue
    const c = colName(p.ref)
    if (c !== null && !eq.some(e => lc(e) === lc(c))) { eq.push(c); inList.push(c) }
  }
  let range: string | null = null
  for (const p of model.predicates) {
    if (!mine(p.ref) || (p.kind !== 'range' && p.kind !== 'prefix')) continue
    const c = colName(p.ref)
    if (c !== null && !eq.some(e => lc(e) === lc(c))) { range = c; break }
  }
  const order: string[] = []
  let sortsFor: CandidateIndex['sortsFor'] = null
  if (range === null && inList.length === 0 && alias === driver) {
    const ob = model.orderBy
    const gb = model.groupBy
    if (ob !== null && ob.length > 0 && ob.every(o => mine(o.ref) && colName(o.ref) !== null) && ob.every(o => o.desc === ob[0].desc)) {
      for (const o of ob) { const c = colName(o.ref); if (c !== null && !eq.some(e => lc(e) === lc(c))) pushUnique(order, c) }
      sortsFor = 'order'
    } else if (gb !== null && (ob === null || ob.length === 0) && gb.every(g => mine(g) && colName(g) !== null)) {
      for (const g of gb) { const c = colName(g); if (c !== null && !eq.some(e => lc(e) === lc(c))) pushUnique(order, c) }
      sortsFor = 'group'
    }
  }
  if (eq.length === 0 && range === null && order.length === 0) return null
  const key = [...eq, ...(range === null ? [] : [range]), ...order]
  const include = coveringColumns(model, alias, t, key, tables, opts)
  return { schema: t.schema, table: t.name, eq, inList, range, order, include, columns: [...key, ...include], sortsFor: order.length > 0 ? sortsFor : null }
}

/** Columns to add so the index alone answers the statement; [] when it already does or when too many/wide. */
function coveringColumns (model: QueryModel, alias: string, t: TableInfo, key: string[], tables: ReadonlyMap<string, TableInfo>, opts: DesignOptions): string[] {
  const single = model.tables.length === 1
  if (model.star.some(q => q === null ? single : lc(q) === lc(alias))) return []
  const have = new Set(key.map(lc))
  // InnoDB secondary indexes carry the primary key.
  for (const c of t.indexes.find(i => i.primary)?.columns ?? []) have.add(lc(c.name))
  const extra: string[] = []
  for (const ref of model.columns) {
    if (resolveAlias(ref, tables) !== alias) continue
    const col = t.columns.get(lc(ref.column))
    if (col !== undefined && !have.has(lc(col.name))) { have.add(lc(col.name)); extra.push(col.name) }
  }
  if (extra.length === 0 || extra.length > opts.coveringMaxColumns) return []
  const bytes = extra.reduce((s, c) => s + (t.columns.get(lc(c))?.bytes ?? Number.POSITIVE_INFINITY), 0)
  return bytes <= opts.coveringMaxBytes ? extra.sort() : []
}

/** Whether an index with `columns` (in order) serves the candidate's key: the equality columns in any order first,
 * then the range column, then the order columns in sequence. More columns after that don't matter. */
export function serves (columns: readonly string[], c: Pick<CandidateIndex, 'eq' | 'range' | 'order'>): boolean {
  const cols = columns.map(lc)
  const eq = new Set(c.eq.map(lc))
  if (cols.length < eq.size) return false
  for (let i = 0; i < eq.size; i++) if (!eq.has(cols[i])) return false
  let at = eq.size
  if (c.range !== null) {
    if (cols[at] !== lc(c.range)) return false
    at++
  }
  for (const o of c.order) {
    if (cols[at] !== lc(o)) return false
    at++
  }
  return true
}

/** An existing, not ignored index that serves the candidate, or null. */
export function servedBy (indexes: readonly IndexInfo[], c: CandidateIndex): IndexInfo | null {
  for (const ix of indexes) {
    if (ix.ignored) continue
    if (serves(ix.columns.map(x => x.name), c)) return ix
  }
  return null
}

export interface Merged<T> {
  candidate: CandidateIndex
  helps: T[]
}

/** Fewer indexes serving more shapes: a candidate whose key is served by a longer candidate's columns on the same
 * table is folded into it. Longest first, so the survivor is the one that serves all. */
export function mergeCandidates<T> (items: readonly { candidate: CandidateIndex, help: T }[]): Merged<T>[] {
  const sorted = [...items].sort((a, b) => b.candidate.columns.length - a.candidate.columns.length)
  const out: Merged<T>[] = []
  for (const { candidate, help } of sorted) {
    const home = out.find(m => lc(m.candidate.schema) === lc(candidate.schema) && lc(m.candidate.table) === lc(candidate.table) &&
      serves(m.candidate.columns, candidate))
    if (home !== undefined) home.helps.push(help)
    else out.push({ candidate, helps: [help] })
  }
  return out
}

const MAX_NAME = 64

/** `sipup_<columns>`: the prefix marks what the sidecar added; long names keep a hash so they stay unique. */
export function indexName (columns: readonly string[]): string {
  const base = `sipup_${columns.join('_')}`.replace(/[^A-Za-z0-9_$]/g, '_')
  if (base.length <= MAX_NAME) return base
  const hash = createHash('sha256').update(columns.join(',')).digest('hex').slice(0, 8)
  return `${base.slice(0, MAX_NAME - 9)}_${hash}`
}

export function suggestionId (kind: string, schema: string, table: string, what: readonly string[]): string {
  return createHash('sha256').update(`${kind}\0${schema}\0${table}\0${what.join(',')}`).digest('hex').slice(0, 10)
}
