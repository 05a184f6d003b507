// The advisor on a seeded B2B shop (200,000 orders) and a workload of known shapes: an index for each slow one,
// one index for shapes that can share it, nothing for shapes an index already serves, the planted duplicate
// flagged, an unparseable statement skipped with its reason, and a partitioning report.
import t from '../helpers/cases.js'
import { normalizeSql } from '../../src/plugins/db/normalize.js'
import type { Analysis, Suggestion } from '../../src/plugins/db/types.js'
import { requireMysql } from '../helpers/services.js'
import { createAdmin, measureWorkload } from './fixtures/advisor.js'
import {
  createTestDatabase, CUSTOMER_ORDER_COUNT, ORDERS, seedB2b, SERVED_SHAPES, SLOW_SHAPES, UNPARSEABLE
} from './fixtures/b2b-schema.js'

const EXPECTED: Record<keyof typeof SLOW_SHAPES, { table: string, leading: string[] }> = {
  customerOrders: { table: 'orders', leading: ['customer_id', 'created_at'] },
  statusInRange: { table: 'orders', leading: ['status', 'created_at'] },
  orderItemsJoin: { table: 'order_items', leading: ['order_id'] },
  likePrefix: { table: 'products', leading: ['name'] },
  groupByReport: { table: 'orders', leading: ['created_at'] }
}

function helping (a: Analysis, sql: string): Suggestion[] {
  const text = normalizeSql(sql)
  return a.suggestions.filter(s => s.kind === 'add-index' && s.shapes.some(h => h.text === text))
}

t.test('the advisor on a seeded B2B shop', async t => {
  if (!await requireMysql(t)) return
  const db = await createTestDatabase()
  t.after(() => db.drop())
  await seedB2b(db.pool)
  const fx = await createAdmin(db, { partitionMinRows: 100_000 })
  t.after(() => fx.close())
  const statements = await measureWorkload(db, [...Object.values(SLOW_SHAPES), ...Object.values(SERVED_SHAPES), CUSTOMER_ORDER_COUNT, UNPARSEABLE])
  const analysis = await fx.admin.analyze({ statements, actor: 'test' })

  t.test('an index is proposed for each slow shape, with its evidence and exact DDL', async t => {
    for (const [name, sql] of Object.entries(SLOW_SHAPES) as [keyof typeof SLOW_SHAPES, string][]) {
      const found = helping(analysis, sql)
      t.equal(found.length, 1, `${name}: one suggestion`)
      const s = found[0]
      t.equal(s.table, EXPECTED[name].table, `${name}: on ${EXPECTED[name].table}`)
      t.same(s.columns.slice(0, EXPECTED[name].leading.length), EXPECTED[name].leading, `${name}: columns ${s.columns.join(', ')}`)
      t.match(s.ddl, new RegExp(`^ALTER TABLE \`${db.name}\`\\.\`${s.table}\` ADD INDEX \`sipup_[a-z_]+\` \\(.+\\), ALGORITHM=INPLACE, LOCK=NONE$`))
      t.match(s.undoDdl, /DROP INDEX `sipup_/)
      const h = s.shapes.find(x => x.text === normalizeSql(sql))
      t.ok(h !== undefined && h.rowsExaminedNow !== null && h.rowsExaminedNow >= 40_000, `${name}: rows examined now ${h?.rowsExaminedNow}`)
      t.ok(h !== undefined && h.rowsEstimatedAfter !== null && h.rowsEstimatedAfter * 20 < (h.rowsExaminedNow ?? 0), `${name}: estimated after ${h?.rowsEstimatedAfter}`)
      t.equal(h?.estimateFrom, 'analyze', 'MariaDB ANALYZE gave real counts')
      t.ok(s.tableRows > 0 && s.tableBytes > 0, 'table size carried')
      t.match(h?.problem, /full table scan/)
    }
    t.match(helping(analysis, SLOW_SHAPES.customerOrders)[0].shapes[0].problem, /filesort/, 'the sort is part of the evidence')
  })

  t.test('one index serves several shapes instead of one index each', async t => {
    const list = helping(analysis, SLOW_SHAPES.customerOrders)[0]
    const count = helping(analysis, CUSTOMER_ORDER_COUNT)
    t.equal(count.length, 1)
    t.equal(count[0].id, list.id, 'the count by customer rides on the customer/date index')
    t.equal(list.shapes.length, 2)
    t.notOk(analysis.suggestions.some(s => s.kind === 'add-index' && s.columns.join() === 'customer_id'), 'no separate (customer_id) index')
    const ids = analysis.suggestions.filter(s => s.kind === 'add-index').map(s => s.id)
    t.equal(new Set(ids).size, ids.length)
    t.equal(ids.length, 5, 'five indexes for six slow shapes')
  })

  t.test('nothing for shapes an existing index already serves (primary key, an index, a left prefix)', async t => {
    for (const [name, sql] of Object.entries(SERVED_SHAPES)) {
      t.same(helping(analysis, sql), [], `${name}: no suggestion`)
    }
    const served = (sql: string): string[] => analysis.served.filter(s => s.text === normalizeSql(sql)).map(s => `${s.table}.${s.index}`)
    t.same(served(SERVED_SHAPES.orderById), ['orders.PRIMARY'])
    t.match(served(SERVED_SHAPES.customerByEmail)[0], /^customers\.ix_email/)
    t.same(served(SERVED_SHAPES.productsByCategory), ['products.ix_category_price'], 'served as the left prefix of (category_id, price)')
    t.same(served(SLOW_SHAPES.orderItemsJoin), ['products.PRIMARY'], 'the join into products is served by its primary key')
  })

  t.test('no index for a full scan of a tiny table', async t => {
    const tiny = await createAdmin(db)
    t.after(() => tiny.close())
    const a = await tiny.admin.analyze({ statements: await measureWorkload(db, ["SELECT id FROM customer_groups WHERE name = 'group 3'"]), actor: 'test' })
    t.same(a.suggestions.filter(s => s.kind === 'add-index'), [])
  })

  t.test('the planted duplicate index is flagged, IGNORED first', async t => {
    const dup = analysis.suggestions.filter(s => s.kind === 'redundant-index')
    t.same(dup.map(s => `${s.table}.${s.index}`), ['customers.ix_email_dup'])
    t.match(dup[0].reason, /duplicate of ix_email/)
    t.match(dup[0].ddl, /ALTER INDEX `ix_email_dup` IGNORED, ALGORITHM=INPLACE, LOCK=NONE$/)
    t.match(dup[0].undoDdl, /NOT IGNORED/)
    t.match(dup[0].caveats.join(' '), /never a direct DROP/)
  })

  t.test('an unparseable statement is skipped with the reason', async t => {
    const s = analysis.skipped.find(x => x.text === normalizeSql(UNPARSEABLE))
    t.ok(s !== undefined, 'reported')
    t.match(s?.reason, /SQL parser could not read it: .*near 'ROWS EXAMINED/)
    t.equal(analysis.skipped.length, 1, 'and nothing else skipped')
  })

  t.test('a big table with date ranges is reported as a monthly partitioning candidate (report only)', async t => {
    const p = analysis.suggestions.filter(s => s.kind === 'partition')
    t.equal(p.length, 1)
    t.match(p[0], { table: 'orders', columns: ['created_at'], applicable: false })
    t.match(p[0].ddl, /PARTITION BY RANGE COLUMNS\(`created_at`\) \(\n {2}PARTITION p\d{6} VALUES LESS THAN \('\d{4}-\d{2}-01'\),/)
    t.match(p[0].ddl, /PARTITION pmax VALUES LESS THAN \(MAXVALUE\)\n\)$/)
    t.match(p[0].caveats.join('\n'), /PRIMARY KEY \(id\) must become \(id, created_at\)/)
    t.ok(p[0].tableRows > ORDERS / 2)
  })

  t.test('the analysis is stored in the sidecar\'s schema and readable by another instance', async t => {
    const other = await createAdmin(db)
    t.after(() => other.close())
    t.equal(await other.admin.latest(), null, 'another audit schema: nothing yet')
    const again = await fx.admin.latest()
    t.equal(again?.id, analysis.id)
    t.same(again?.suggestions.map(s => s.id), analysis.suggestions.map(s => s.id))
    t.same(analysis.tables, ['customers', 'order_items', 'orders', 'products'].map(n => `${db.name}.${n}`))
  })

  t.test('EXPLAIN only (db.analyzeStatements: false): the same indexes, estimates from statistics', async t => {
    const explainOnly = await createAdmin(db, { analyzeStatements: false })
    t.after(() => explainOnly.close())
    const a = await explainOnly.admin.analyze({ statements, actor: 'test' })
    const cols = (x: Analysis): string[] => x.suggestions.filter(s => s.kind === 'add-index').map(s => `${s.table}(${s.columns.join()})`).sort()
    t.same(cols(a), cols(analysis))
    t.notOk(a.suggestions.flatMap(s => s.shapes).some(h => h.estimateFrom === 'analyze'))
  })
})
