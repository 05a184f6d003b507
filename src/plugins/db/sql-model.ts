// What a statement asks of each table, read with node-sql-parser: the AND-ed conditions on columns (equality,
// IN, range, LIKE prefix), the join columns, ORDER BY / GROUP BY and the columns it touches. A statement the
// parser can't read, or a form the advisor doesn't model (UNION, CTE, derived tables), is an UnreadableStatement
// with the reason; the caller reports and skips it.
import mysqlGrammar from 'node-sql-parser/build/mysql.js'
import mariadbGrammar from 'node-sql-parser/build/mariadb.js'

export interface ColRef {
  /** Table alias or name as written, null when unqualified. */
  qualifier: string | null
  column: string
}

export interface TableRef {
  schema: string | null
  table: string
  /** The alias, or the table name when there is none. */
  alias: string
}

/** `eq` col = const, `in` col IN (consts), `null` col IS NULL, `range` <, >, BETWEEN, `prefix` LIKE 'abc%'. */
export type PredicateKind = 'eq' | 'in' | 'null' | 'range' | 'prefix'

export interface Predicate {
  ref: ColRef
  kind: PredicateKind
}

export interface QueryModel {
  kind: 'select' | 'update' | 'delete'
  tables: TableRef[]
  predicates: Predicate[]
  /** col = col between two tables (WHERE or ON or USING). */
  joins: { left: ColRef, right: ColRef }[]
  /** null when ordered by an expression (no index can provide that order). */
  orderBy: { ref: ColRef, desc: boolean }[] | null
  groupBy: ColRef[] | null
  /** Every column the statement reads; qualifiers (or null) whose `*` is selected are in `star`. */
  columns: ColRef[]
  star: (string | null)[]
  limit: number | null
  /** Conditions the advisor could not use, in words ("OR", "function on column", "leading wildcard"). */
  notes: string[]
}

export class UnreadableStatement extends Error {
  constructor (reason: string) {
    super(reason)
    this.name = 'UnreadableStatement'
  }
}

interface Node {
  type?: string
  [k: string]: unknown
}

const INDEX_HINT = /\b(?:FORCE|USE|IGNORE)\s+(?:INDEX|KEY)(?:\s+FOR\s+(?:JOIN|ORDER\s+BY|GROUP\s+BY))?\s*\([^)]*\)/gi
const MAX_PARSE_CHARS = 100_000

const grammars = [
  { parser: new mysqlGrammar.Parser(), database: 'MySQL' },
  { parser: new mariadbGrammar.Parser(), database: 'MariaDB' }
]

function astOf (sql: string): Node {
  let first: (Error & { location?: { start?: { offset?: number } } }) | null = null
  for (const g of grammars) {
    try {
      const ast = g.parser.astify(sql, { database: g.database }) as unknown
      if (Array.isArray(ast)) {
        if (ast.length !== 1) throw new UnreadableStatement(`${ast.length} statements in one: only single statements are analysed`)
        return ast[0] as Node
      }
      return ast as Node
    } catch (err) {
      if (err instanceof UnreadableStatement) throw err
      first ??= err as Error
    }
  }
  // The parser's message lists every token it expected; the first line up to "but" says where it stopped.
  const msg = (first?.message ?? 'unknown error').split('\n')[0]
  const at = first?.location?.start?.offset
  const near = typeof at === 'number' ? ` near '${sql.slice(at, at + 24)}'` : ''
  const found = /but (.+) found\.?$/.exec(msg)
  throw new UnreadableStatement(`SQL parser could not read it: ${found !== null ? `unexpected ${found[1]}` : msg.slice(0, 160)}${near}`)
}

/** Parses one statement into its model; throws UnreadableStatement with the reason. */
export function modelOf (sql: string): QueryModel {
  if (sql.length > MAX_PARSE_CHARS) throw new UnreadableStatement(`statement longer than ${MAX_PARSE_CHARS} characters`)
  const notes: string[] = []
  let text = sql
  const unhinted = text.replace(INDEX_HINT, ' ')
  if (unhinted !== text) {
    notes.push('index hint ignored for the analysis')
    text = unhinted
  }
  const ast = astOf(text)
  const kind = ast.type
  if (kind !== 'select' && kind !== 'update' && kind !== 'delete') {
    throw new UnreadableStatement(`${String(kind).toUpperCase()} statements are not analysed (only SELECT, UPDATE, DELETE)`)
  }
  if (ast.with !== null && ast.with !== undefined) throw new UnreadableStatement('WITH (common table expressions) is not analysed')
  if (ast._next !== undefined && ast._next !== null) throw new UnreadableStatement('UNION / INTERSECT / EXCEPT is not analysed')

  const m: QueryModel = {
    kind, tables: [], predicates: [], joins: [], orderBy: [], groupBy: null, columns: [], star: [], limit: null, notes
  }
  const fromItems = (kind === 'update' ? ast.table : ast.from) as Node[] | null | undefined
  const items = Array.isArray(fromItems) ? fromItems : []
  if (kind === 'delete' && items.length === 0 && Array.isArray(ast.table)) items.push(...(ast.table as Node[]))
  for (const item of items) {
    if (item.expr !== undefined && item.expr !== null) throw new UnreadableStatement('derived tables (subqueries in FROM) are not analysed')
    if (typeof item.table !== 'string') throw new UnreadableStatement('a FROM item that is not a table')
    const ref: TableRef = {
      schema: typeof item.db === 'string' ? item.db : null,
      table: item.table,
      alias: typeof item.as === 'string' && item.as !== '' ? item.as : item.table
    }
    m.tables.push(ref)
    if (item.on !== undefined && item.on !== null) conjuncts(item.on as Node, m)
    if (Array.isArray(item.using) && m.tables.length > 1) {
      const prev = m.tables[m.tables.length - 2]
      for (const u of item.using as unknown[]) {
        const column = typeof u === 'string' ? u : String((u as Node).value ?? '')
        m.joins.push({ left: { qualifier: prev.alias, column }, right: { qualifier: ref.alias, column } })
      }
    }
  }
  if (m.tables.length === 0) throw new UnreadableStatement('no table')
  if (ast.where !== null && ast.where !== undefined) conjuncts(ast.where as Node, m)

  if (kind === 'select') {
    for (const c of (Array.isArray(ast.columns) ? ast.columns : []) as Node[]) {
      const expr = c.expr as Node | undefined
      if (expr?.type === 'column_ref' && columnName(expr) === '*') m.star.push(typeof expr.table === 'string' ? expr.table : null)
    }
    if (ast.columns === '*') m.star.push(null)
    m.groupBy = groupColumns(ast.groupby)
    m.limit = limitOf(ast.limit as Node | null | undefined)
  }
  m.orderBy = orderColumns(ast.orderby)
  collectColumns(ast, m.columns)
  return m
}

function columnName (n: Node): string {
  const c = n.column
  if (typeof c === 'string') return c
  const expr = (c as Node | null)?.expr as Node | undefined
  return String(expr?.value ?? '')
}

function colRef (n: Node): ColRef {
  return { qualifier: typeof n.table === 'string' && n.table !== '' ? n.table : null, column: columnName(n) }
}

function isColumn (n: unknown): n is Node {
  return typeof n === 'object' && n !== null && (n as Node).type === 'column_ref' && columnName(n as Node) !== '*'
}

/** True when the expression reads no column and runs no subquery: a literal, a parameter, NOW() - INTERVAL 1 DAY. */
function isConstant (n: unknown): boolean {
  if (n === null || typeof n !== 'object') return true
  if (Array.isArray(n)) return n.every(isConstant)
  const node = n as Node
  if (node.type === 'column_ref' || node.ast !== undefined || node.type === 'select') return false
  for (const v of Object.values(node)) if (typeof v === 'object' && v !== null && !isConstant(v)) return false
  return true
}

function hasColumn (n: unknown): boolean {
  if (n === null || typeof n !== 'object') return false
  if (Array.isArray(n)) return n.some(hasColumn)
  if ((n as Node).type === 'column_ref') return true
  return Object.values(n as Node).some(hasColumn)
}

function describeColumns (n: unknown): string {
  const out: string[] = []
  const walk = (x: unknown): void => {
    if (x === null || typeof x !== 'object') return
    if (Array.isArray(x)) { x.forEach(walk); return }
    if ((x as Node).type === 'column_ref') { out.push(columnName(x as Node)); return }
    Object.values(x as Node).forEach(walk)
  }
  walk(n)
  return [...new Set(out)].join(', ')
}

const FLIP: Readonly<Record<string, string>> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '=': '=', '<=>': '<=>' }
const RANGE_OPS = new Set(['<', '>', '<=', '>='])

/** Walks the AND-ed conditions; anything under OR or NOT is noted and left out of the index design. */
function conjuncts (n: Node, m: QueryModel): void {
  if (n.type !== 'binary_expr') {
    if (n.type === 'unary_expr' || n.type === 'function') m.notes.push(`condition on ${describeColumns(n) || 'an expression'} is not indexable as written`)
    return
  }
  const op = String(n.operator).toUpperCase()
  if (op === 'AND') {
    conjuncts(n.left as Node, m)
    conjuncts(n.right as Node, m)
    return
  }
  if (op === 'OR' || op === 'XOR') {
    m.notes.push(`${op} condition on ${describeColumns(n)} is not used for index design`)
    return
  }
  let left = n.left as Node
  let right = n.right as Node
  let o = op
  if (!isColumn(left) && isColumn(right) && FLIP[o] !== undefined) {
    [left, right] = [right, left]
    o = FLIP[o]
  }
  if (!isColumn(left)) {
    if (hasColumn(left)) m.notes.push(`function or expression on ${describeColumns(left)}: no index can serve it as written`)
    return
  }
  const ref = colRef(left)
  if (o === '=' || o === '<=>') {
    if (isColumn(right)) {
      m.joins.push({ left: ref, right: colRef(right) })
    } else if (isConstant(right)) {
      m.predicates.push({ ref, kind: 'eq' })
    } else {
      m.notes.push(`${ref.column} compared with a subquery or expression over columns`)
    }
    return
  }
  if (o === 'IN') {
    const list = right.type === 'expr_list' && Array.isArray(right.value) ? right.value as unknown[] : null
    if (list !== null && isConstant(list)) m.predicates.push({ ref, kind: list.length === 1 ? 'eq' : 'in' })
    else m.notes.push(`${ref.column} IN (subquery) is not used for index design`)
    return
  }
  if (o === 'IS') {
    if (right.type === 'null') m.predicates.push({ ref, kind: 'null' })
    return
  }
  if (RANGE_OPS.has(o) || o === 'BETWEEN') {
    if (isConstant(right)) m.predicates.push({ ref, kind: 'range' })
    return
  }
  if (o === 'LIKE') {
    const v = right.value
    if (typeof v === 'string' && (v.startsWith('%') || v.startsWith('_'))) {
      m.notes.push(`LIKE with a leading wildcard on ${ref.column} can't use an index`)
    } else if (isConstant(right)) {
      m.predicates.push({ ref, kind: 'prefix' })
    }
    return
  }
  // <>, NOT IN, NOT LIKE, REGEXP...: not sargable.
  m.notes.push(`${o} on ${ref.column} is not indexable`)
}

function orderColumns (orderby: unknown): QueryModel['orderBy'] {
  if (!Array.isArray(orderby) || orderby.length === 0) return []
  const out: { ref: ColRef, desc: boolean }[] = []
  for (const o of orderby as Node[]) {
    if (!isColumn(o.expr)) return null
    out.push({ ref: colRef(o.expr as Node), desc: String(o.type ?? 'ASC').toUpperCase() === 'DESC' })
  }
  return out
}

function groupColumns (groupby: unknown): ColRef[] | null {
  const list = Array.isArray(groupby) ? groupby : Array.isArray((groupby as Node | null)?.columns) ? (groupby as Node).columns as unknown[] : null
  if (list === null || list.length === 0) return null
  const out: ColRef[] = []
  for (const g of list) {
    if (!isColumn(g)) return null
    out.push(colRef(g as Node))
  }
  return out
}

function limitOf (limit: Node | null | undefined): number | null {
  const v = limit?.value
  if (!Array.isArray(v) || v.length === 0) return null
  const count = (limit?.seperator === ',' ? v[1] : v[0]) as Node | undefined
  return typeof count?.value === 'number' ? count.value : null
}

/** Every column reference outside subqueries. */
function collectColumns (n: unknown, out: ColRef[]): void {
  if (n === null || typeof n !== 'object') return
  if (Array.isArray(n)) { for (const x of n) collectColumns(x, out); return }
  const node = n as Node
  if (node.type === 'column_ref') {
    if (columnName(node) !== '*') out.push(colRef(node))
    return
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === 'ast' || k === '_next') continue
    if (typeof v === 'object' && v !== null && (v as Node).type === 'select') continue
    collectColumns(v, out)
  }
}
