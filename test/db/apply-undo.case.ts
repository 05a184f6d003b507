// Apply and undo on the seeded shop: dry run by default, online DDL, timed before/after, an audit row, and an undo
// that restores SHOW CREATE TABLE exactly. Refusals: table changed since analysis, too large, not online, a long
// transaction holding the table, another instance holding the DDL lock.
import t from '../helpers/cases.js'
import { normalizeSql } from '../../src/plugins/db/normalize.js'
import type { Analysis, Suggestion } from '../../src/plugins/db/types.js'
import { requireMysql } from '../helpers/services.js'
import { createAdmin, measureWorkload } from './fixtures/advisor.js'
import { createTestDatabase, seedB2b, showCreateTables, SLOW_SHAPES, TABLES } from './fixtures/b2b-schema.js'

const NO_APPLY = { actor: 'test', allowLarge: false, dryRun: false }

function suggestionFor (a: Analysis, sql: string): Suggestion {
  const s = a.suggestions.find(x => x.kind === 'add-index' && x.shapes.some(h => h.text === normalizeSql(sql)))
  if (s === undefined) throw new Error(`no suggestion for ${sql}`)
  return s
}

t.test('apply and undo on a seeded B2B shop', async t => {
  if (!await requireMysql(t)) return
  const db = await createTestDatabase()
  t.after(() => db.drop())
  await seedB2b(db.pool)
  await db.pool.query('CREATE TABLE legacy_log (id INT UNSIGNED NOT NULL PRIMARY KEY, ref INT NOT NULL) ENGINE=MyISAM')
  await db.pool.query('INSERT INTO legacy_log SELECT seq, seq % 1000 FROM seq_1_to_20000')
  const fx = await createAdmin(db, { verifyRuns: 3 })
  t.after(() => fx.close())
  const LEGACY = 'SELECT id FROM legacy_log WHERE ref = 42'
  const BY_CITY = "SELECT id FROM customers WHERE city = 'City 7'"
  const statements = await measureWorkload(db, [...Object.values(SLOW_SHAPES), LEGACY, BY_CITY])
  let analysis = await fx.admin.analyze({ statements, actor: 'test' })

  t.test('a dry run changes nothing and shows today\'s figures', async t => {
    const before = await showCreateTables(db.pool)
    const s = suggestionFor(analysis, SLOW_SHAPES.customerOrders)
    const plan = await fx.admin.apply(s.id, { ...NO_APPLY, dryRun: true })
    t.equal(plan.dryRun, true)
    t.equal(plan.change, null)
    t.ok((plan.before[0].medianMs ?? 0) > 0, 'timed now')
    t.equal(plan.before[0].rowsExamined, 200_000)
    t.same(await showCreateTables(db.pool), before)
    t.same(await fx.admin.changes(), [])
  })

  t.test('apply builds the index online, proves the gain, records it; undo restores the schema exactly', async t => {
    const before = await showCreateTables(db.pool)
    const s = suggestionFor(analysis, SLOW_SHAPES.customerOrders)
    const plan = await fx.admin.apply(s.id, { ...NO_APPLY, actor: 'alice' })
    const c = plan.change
    t.ok(c !== null)
    if (c === null) return
    t.match(c.ddl, /ADD INDEX `sipup_customer_id_created_at\w*` \(.+\), ALGORITHM=INPLACE, LOCK=NONE$/)
    t.match((await showCreateTables(db.pool, ['orders'])).orders, new RegExp(`KEY \`${s.index}\``))
    t.equal(c.appliedBy, 'alice')
    t.equal(c.verdict, 'helped')
    t.ok((c.speedup ?? 0) > 5, `speed-up ${c.speedup}`)
    t.ok(c.after.every(x => x.usesIndex === true), 'the plan uses the new index')
    t.ok((c.after[0].rowsExamined ?? Infinity) < 100, `rows examined after: ${c.after[0].rowsExamined}`)
    t.equal(c.createTableBefore, before.orders)
    t.same((await fx.admin.changes()).map(x => x.id), [c.id], 'in the audit table')
    t.equal(fx.registry.getSingleMetric('sipup_db_changes_total') !== undefined, true)

    await t.rejects(fx.admin.apply(s.id, NO_APPLY), { code: 'SIPUP_ERR_DB_TABLE_CHANGED' }, 'applying twice is refused')

    const undone = await fx.admin.undo(c.id, 'bob')
    t.match(undone, { status: 'undone', undoneBy: 'bob' })
    t.same(await showCreateTables(db.pool), before, 'SHOW CREATE TABLE as before, for every table')
    await t.rejects(fx.admin.undo(c.id, 'bob'), { code: 'SIPUP_ERR_DB_CHANGE_NOT_FOUND' }, 'undone once only')
  })

  t.test('a redundant index is made IGNORED, and undo makes it visible again', async t => {
    const before = await showCreateTables(db.pool, ['customers'])
    const dup = analysis.suggestions.find(s => s.kind === 'redundant-index')
    if (dup === undefined) { t.fail('no redundant suggestion'); return }
    const plan = await fx.admin.apply(dup.id, NO_APPLY)
    t.equal(plan.change?.verdict, 'unmeasured')
    t.match((await showCreateTables(db.pool, ['customers'])).customers, /KEY `ix_email_dup` \(`email`\) IGNORED/)
    await fx.admin.undo(plan.change?.id ?? 0, 'test')
    t.same(await showCreateTables(db.pool, ['customers']), before)
  })

  t.test('a table changed since the analysis is refused, nothing changed', async t => {
    const s = suggestionFor(analysis, SLOW_SHAPES.likePrefix)
    await db.pool.query('ALTER TABLE products ADD INDEX by_hand (name)')
    t.after(() => db.pool.query('ALTER TABLE products DROP INDEX by_hand'))
    const before = await showCreateTables(db.pool, ['products'])
    await t.rejects(fx.admin.apply(s.id, NO_APPLY), { code: 'SIPUP_ERR_DB_TABLE_CHANGED', message: /products changed since the analysis: index by_hand now covers \(name\)/ })
    t.same(await showCreateTables(db.pool, ['products']), before)
  })

  t.test('undo leaves an index alone that is no longer what the sidecar added', async t => {
    const s = suggestionFor(analysis, SLOW_SHAPES.orderItemsJoin)
    const c = (await fx.admin.apply(s.id, NO_APPLY)).change
    await db.pool.query(`ALTER TABLE order_items DROP INDEX ${s.index}, ADD INDEX ${s.index} (order_id, product_id)`)
    await t.rejects(fx.admin.undo(c?.id ?? 0, 'test'), { code: 'SIPUP_ERR_DB_TABLE_CHANGED', message: /now on \(order_id, product_id\)/ })
    t.match((await showCreateTables(db.pool, ['order_items'])).order_items, /`order_id`,\s?`product_id`/, 'left in place')
    await db.pool.query(`ALTER TABLE order_items DROP INDEX ${s.index}`)
  })

  t.test('tables above db.maxOnlineTableSize need allowLarge', async t => {
    const small = await createAdmin(db, { maxOnlineTableSize: '1MB', verifyRuns: 1 })
    t.after(() => small.close())
    const a = await small.admin.analyze({ statements: statements.filter(x => x.sql === SLOW_SHAPES.statusInRange), actor: 'test' })
    const s = suggestionFor(a, SLOW_SHAPES.statusInRange)
    await t.rejects(small.admin.apply(s.id, NO_APPLY), { code: 'SIPUP_ERR_DB_TABLE_TOO_LARGE', statusCode: 413, message: /--allow-large/ })
    const c = (await small.admin.apply(s.id, { ...NO_APPLY, allowLarge: true })).change
    t.equal(c?.status, 'applied')
    await small.admin.undo(c?.id ?? 0, 'test')
  })

  t.test('refused with the server\'s reason when the change can\'t be made online', async t => {
    const s = suggestionFor(analysis, LEGACY)
    const before = await showCreateTables(db.pool, ['legacy_log'])
    await t.rejects(fx.admin.apply(s.id, NO_APPLY), { code: 'SIPUP_ERR_DB_NOT_ONLINE', message: /ALGORITHM=INPLACE is not supported/ })
    t.same(await showCreateTables(db.pool, ['legacy_log']), before)
  })

  t.test('DDL gives up after lock_wait_timeout instead of queueing behind a long transaction', async t => {
    const quick = await createAdmin(db, { lockWaitTimeout: '1s', verifyRuns: 1 })
    t.after(() => quick.close())
    const a = await quick.admin.analyze({ statements: statements.filter(x => x.sql === BY_CITY), actor: 'test' })
    const s = suggestionFor(a, BY_CITY)
    const holder = await db.pool.getConnection()
    t.after(async () => { await holder.query('ROLLBACK'); holder.release() })
    await holder.query('START TRANSACTION')
    await holder.query('SELECT * FROM customers LIMIT 1')
    const t0 = performance.now()
    await t.rejects(quick.admin.apply(s.id, NO_APPLY), { code: 'SIPUP_ERR_DB_LOCK_TIMEOUT', message: /lock_wait_timeout \(1 s\)/ })
    const waited = performance.now() - t0
    t.ok(waited >= 900 && waited < 20_000, `gave up after ${Math.round(waited)} ms`)
    t.notMatch((await showCreateTables(db.pool, ['customers'])).customers, /sipup_/)
  })

  t.test('another instance holding the DDL lock: refused as busy', async t => {
    const busy = await createAdmin(db, { verifyRuns: 1 }, async () => null)
    t.after(() => busy.close())
    const a = await busy.admin.analyze({ statements: statements.filter(x => x.sql === SLOW_SHAPES.groupByReport), actor: 'test' })
    await t.rejects(busy.admin.apply(suggestionFor(a, SLOW_SHAPES.groupByReport).id, NO_APPLY), { code: 'SIPUP_ERR_DB_BUSY' })
  })

  t.test('an index that does not reach db.minGain is reported as not helping', async t => {
    const strict = await createAdmin(db, { minGain: 1_000_000, verifyRuns: 1 })
    t.after(() => strict.close())
    const a = await strict.admin.analyze({ statements: statements.filter(x => x.sql === SLOW_SHAPES.groupByReport), actor: 'test' })
    const c = (await strict.admin.apply(suggestionFor(a, SLOW_SHAPES.groupByReport).id, NO_APPLY)).change
    t.equal(c?.verdict, 'no-gain')
    t.ok((c?.speedup ?? 0) > 1, 'faster, just not enough')
    await strict.admin.undo(c?.id ?? 0, 'test')
  })

  t.test('unknown ids, and apply before any analysis, are refused by code', async t => {
    analysis = await fx.admin.analyze({ statements, actor: 'test' })
    await t.rejects(fx.admin.apply('nope', NO_APPLY), { code: 'SIPUP_ERR_DB_SUGGESTION_NOT_FOUND', statusCode: 404 })
    const fresh = await createAdmin(db)
    t.after(() => fresh.close())
    await t.rejects(fresh.admin.apply(analysis.suggestions[0].id, NO_APPLY), { code: 'SIPUP_ERR_DB_NO_ANALYSIS' })
    await t.rejects(fresh.admin.undo(null, 'test'), { code: 'SIPUP_ERR_DB_CHANGE_NOT_FOUND' })
    t.notMatch(Object.values(await showCreateTables(db.pool, TABLES)).join('\n'), /sipup_/, 'every sidecar index undone')
  })
})
