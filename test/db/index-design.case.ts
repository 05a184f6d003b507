// Index design as plain data: equality → range → ORDER BY / GROUP BY, covering when few and narrow, nothing when
// an existing index serves the shape (also as a left prefix), one index for several shapes; redundant indexes.
import t from '../helpers/cases.js'
import { columnBytes, tableFingerprint, type ColumnInfo, type IndexInfo, type TableInfo } from '../../src/plugins/db/catalog.js'
import { designIndex, indexName, mergeCandidates, servedBy, type CandidateIndex } from '../../src/plugins/db/index-design.js'
import { findRedundant } from '../../src/plugins/db/redundant.js'
import { modelOf } from '../../src/plugins/db/sql-model.js'

const OPTS = { coveringMaxColumns: 2, coveringMaxBytes: 16 }

function col (name: string, dataType: string, octets: number | null = null, precision: number | null = null): ColumnInfo {
  return { name, type: dataType, dataType, bytes: columnBytes(dataType, octets, precision), temporal: ['date', 'datetime', 'timestamp'].includes(dataType) }
}

function ix (name: string, cols: string[], extra: Partial<IndexInfo> = {}): IndexInfo {
  return { name, columns: cols.map(c => ({ name: c, subPart: null, cardinality: null })), unique: name === 'PRIMARY', primary: name === 'PRIMARY', ignored: false, bytes: null, ...extra }
}

function table (name: string, columns: ColumnInfo[], indexes: IndexInfo[]): TableInfo {
  return {
    schema: 'shop', name, engine: 'InnoDB', rows: 200_000, dataBytes: 1, indexBytes: 1, dataFree: 0, partitioned: false,
    columns: new Map(columns.map(c => [c.name.toLowerCase(), c])), indexes, fingerprint: tableFingerprint(columns, indexes)
  }
}

const orders = table('orders', [col('id', 'int'), col('customer_id', 'int'), col('status', 'enum'), col('created_at', 'datetime'),
  col('total', 'decimal', null, 12), col('note', 'varchar', 800)], [ix('PRIMARY', ['id'])])
const items = table('order_items', [col('id', 'int'), col('order_id', 'int'), col('product_id', 'int'), col('qty', 'smallint'), col('price', 'decimal', null, 10)], [ix('PRIMARY', ['id'])])
const products = table('products', [col('id', 'int'), col('sku', 'varchar', 128), col('name', 'varchar', 480), col('category_id', 'int')],
  [ix('PRIMARY', ['id']), ix('ix_category_price', ['category_id', 'price'])])

function design (sql: string, tables: Record<string, TableInfo>, alias?: string): CandidateIndex | null {
  const m = modelOf(sql)
  const map = new Map(m.tables.map(r => [r.alias, tables[r.table]]))
  return designIndex(m, alias ?? m.tables[0].alias, map, OPTS)
}

t.test('equality, then the ORDER BY the index can deliver, then narrow covering columns', async t => {
  const c = design('SELECT id, status, total FROM orders WHERE customer_id = 5 ORDER BY created_at DESC LIMIT 20', { orders })
  t.same(c?.columns, ['customer_id', 'created_at', 'status', 'total'])
  t.same(c?.order, ['created_at'])
  t.equal(c?.sortsFor, 'order')
})

t.test('equality, then one range; order after a range is not delivered', async t => {
  const c = design("SELECT id FROM orders WHERE status = 'paid' AND created_at >= '2025-01-01' AND created_at < '2025-02-01' ORDER BY total", { orders })
  t.same(c?.eq, ['status'])
  t.equal(c?.range, 'created_at')
  t.same(c?.order, [], 'ORDER BY after a range: a filesort either way')
  t.same(c?.columns.slice(0, 2), ['status', 'created_at'])
})

t.test('GROUP BY columns after equality; IN lists count as equality but stop the order', async t => {
  t.same(design("SELECT customer_id, COUNT(*) FROM orders WHERE status = 'paid' GROUP BY customer_id", { orders })?.columns.slice(0, 2), ['status', 'customer_id'])
  const c = design('SELECT id FROM orders WHERE customer_id IN (1, 2, 3) ORDER BY created_at', { orders })
  t.same(c?.eq, ['customer_id'])
  t.same(c?.order, [])
})

t.test('wide or many extra columns: no covering', async t => {
  t.same(design('SELECT note FROM orders WHERE customer_id = 5', { orders })?.columns, ['customer_id'], 'varchar(200) utf8mb4 is not narrow')
  t.same(design('SELECT * FROM orders WHERE customer_id = 5', { orders })?.columns, ['customer_id'], 'SELECT * is never covered')
  t.same(design('SELECT status, total, created_at FROM orders WHERE customer_id = 5', { orders })?.columns, ['customer_id'], 'three extras are too many')
})

t.test('joins: the driving table by its conditions, the inner one by its join column', async t => {
  const sql = 'SELECT p.sku, oi.qty FROM order_items oi JOIN products p ON p.id = oi.product_id WHERE oi.order_id = 9'
  t.same(design(sql, { order_items: items, products }, 'oi')?.eq, ['order_id'])
  const inner = design(sql, { order_items: items, products }, 'p')
  t.same(inner?.eq, ['id'])
  t.equal(servedBy(products.indexes, inner as CandidateIndex)?.name, 'PRIMARY', 'the primary key serves the join')
})

t.test('LIKE prefix is a range; a leading wildcard or a function on the column is not indexable', async t => {
  t.equal(design("SELECT id FROM products WHERE name LIKE 'Wid%'", { products })?.range, 'name')
  t.equal(design("SELECT id FROM products WHERE name LIKE '%get'", { products }), null)
  const m = modelOf("SELECT id FROM orders WHERE DATE(created_at) = '2025-01-01'")
  t.equal(m.predicates.length, 0)
  t.match(m.notes.join(), /function or expression on created_at/)
})

t.test('an existing index serves the shape, including as its left prefix', async t => {
  const c = design('SELECT id FROM products WHERE category_id = 3', { products }) as CandidateIndex
  t.equal(servedBy(products.indexes, c)?.name, 'ix_category_price')
  const sorted = design('SELECT id FROM products WHERE category_id = 3 ORDER BY price', { products }) as CandidateIndex
  t.equal(servedBy(products.indexes, sorted)?.name, 'ix_category_price', 'and its next column delivers the order')
  const other = design('SELECT id FROM products WHERE category_id = 3 ORDER BY name', { products }) as CandidateIndex
  t.equal(servedBy(products.indexes, other), null, 'not for another order')
  t.equal(servedBy([ix('x', ['category_id', 'price'], { ignored: true })], c), null, 'an IGNORED index serves nothing')
})

t.test('one index for several shapes: a candidate whose key the longer one serves is folded into it', async t => {
  const long = design('SELECT id, status, total FROM orders WHERE customer_id = 5 ORDER BY created_at DESC', { orders }) as CandidateIndex
  const short = design('SELECT COUNT(*) FROM orders WHERE customer_id = 5', { orders }) as CandidateIndex
  const other = design("SELECT id FROM orders WHERE status = 'new'", { orders }) as CandidateIndex
  const merged = mergeCandidates([{ candidate: short, help: 'count' }, { candidate: long, help: 'list' }, { candidate: other, help: 'status' }])
  t.equal(merged.length, 2)
  t.same(merged.find(m => m.candidate === long)?.helps.sort(), ['count', 'list'])
})

t.test('index names mark what the sidecar added and stay within 64 characters', async t => {
  t.equal(indexName(['customer_id', 'created_at']), 'sipup_customer_id_created_at')
  const long = indexName(Array.from({ length: 8 }, (_, i) => `a_rather_long_column_name_${i}`))
  t.ok(long.length <= 64)
  t.match(long, /^sipup_.*_[0-9a-f]{8}$/)
})

t.test('redundant: exact duplicates and non-unique left prefixes; unique and primary keys are kept', async t => {
  const list = [ix('PRIMARY', ['id']), ix('ix_email', ['email']), ix('ix_email_dup', ['email']), ix('ix_a', ['a']), ix('ix_a_b', ['a', 'b']),
    ix('uq_c', ['c'], { unique: true }), ix('ix_c_d', ['c', 'd']), ix('ix_id', ['id'])]
  const found = findRedundant(list).map(r => `${r.index.name}<${r.coveredBy.name}:${r.kind}`).sort()
  t.same(found, ['ix_a<ix_a_b:left-prefix', 'ix_email_dup<ix_email:duplicate', 'ix_id<PRIMARY:duplicate'])
})
