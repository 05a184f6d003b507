// Each workload source where this server can provide it (the setting turned on for the test and back off), and
// the "not available" path with the setting that would enable it. Global settings are changed only here, and
// every source filters by the test's own database, so concurrent test files see no difference.
import t from '../helpers/cases.js'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { rm } from 'node:fs/promises'
import { DbClient } from '../../src/plugins/db/db-client.js'
import { normalizeSql } from '../../src/plugins/db/normalize.js'
import { DigestSource } from '../../src/plugins/db/sources/digest-source.js'
import { readIndexUsage } from '../../src/plugins/db/sources/index-usage.js'
import { ProcesslistSource } from '../../src/plugins/db/sources/processlist-source.js'
import { SlowLogSource } from '../../src/plugins/db/sources/slow-log-source.js'
import type { QueryShape } from '../../src/plugins/db/types.js'
import { requireMysql } from '../helpers/services.js'
import { createAdmin, rootPool } from './fixtures/advisor.js'
import { createTestDatabase, seedB2b, SERVED_SHAPES, SLOW_SHAPES, workloadVariants } from './fixtures/b2b-schema.js'

function shapeOf (shapes: readonly QueryShape[], sql: string): QueryShape | undefined {
  return shapes.find(s => s.text === normalizeSql(sql))
}

t.test('workload sources on this server', async t => {
  if (!await requireMysql(t)) return
  const db = await createTestDatabase()
  t.after(() => db.drop())
  await seedB2b(db.pool)
  const root = rootPool()
  t.after(() => root.end())
  const client = new DbClient({ pool: db.pool, server: 'test', queryTimeoutMs: 10_000 })
  const common = { client, schemas: [db.name], maxShapes: 100 }
  const globals = async (names: string[]): Promise<Record<string, unknown>> => {
    const [rows] = await root.query(`SELECT ${names.map(n => `@@GLOBAL.${n} AS ${n}`).join(', ')}`)
    return (rows as Record<string, unknown>[])[0]
  }

  t.test('digest: performance_schema OFF is reported with the setting that enables it', async t => {
    const on = Number((await globals(['performance_schema'])).performance_schema) === 1
    const r = await new DigestSource(common).collect()
    if (on) {
      t.equal(r.report.available, true, 'this server has performance_schema on')
      return
    }
    t.match(r.report, { source: 'digest', available: false, reason: /performance_schema is OFF/, enable: /performance_schema=ON .*restart/ })
    t.same(r.shapes, [])
    const fx = await createAdmin(db)
    t.after(() => fx.close())
    await t.rejects(fx.admin.analyze({ sources: ['digest'], strict: true, actor: 'test' }),
      { code: 'SIPUP_ERR_DB_SOURCE_UNAVAILABLE', message: /digest is not available: .*to enable it: performance_schema=ON/ })
    const all = await fx.admin.analyze({ sources: ['digest'], actor: 'test' })
    t.match(all.sources, [{ source: 'digest', available: false }], 'without strict: reported, not fatal')
  })

  t.test('processlist: running statements sampled over a window', async t => {
    let stop = false
    const runners = [0, 1].map(async k => {
      for (let round = k; !stop; round += 2) {
        for (const sql of workloadVariants(round).slice(0, 5)) { if (!stop) await db.pool.query(sql) }
      }
    })
    t.after(async () => { stop = true; await Promise.all(runners) })
    const t0 = performance.now()
    const r = await new ProcesslistSource({ ...common, windowMs: 1500, intervalMs: 10 }).collect()
    const took = performance.now() - t0
    stop = true
    await Promise.all(runners)
    t.ok(took >= 1500 && took < 10_000, `sampled for ${Math.round(took)} ms`)
    t.equal(r.report.available, true)
    const seen = r.shapes.filter(s => s.schema === db.name)
    t.equal(seen.length, r.shapes.length, 'only the test database')
    t.ok(seen.length >= 2, `${seen.length} slow shapes caught`)
    const top = seen[0]
    t.ok(top.count >= 1 && top.totalMs > 0, `${top.text}: ${top.count} executions, ${Math.round(top.totalMs)} ms`)
    t.ok(top.sample !== null && !top.sample.includes('?'), 'a real statement kept for EXPLAIN')
    t.ok(seen.every(s => !s.text.includes('PROCESSLIST')), 'its own sampling is not workload')
  })

  t.test('processlist without PROCESS: the privilege is named instead of an empty result', async t => {
    const user = `sipup_np_${process.pid}`
    await root.query(`CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY 'pw'`)
    t.after(() => root.query(`DROP USER IF EXISTS '${user}'@'%'`))
    await root.query(`GRANT SELECT ON \`${db.name}\`.* TO '${user}'@'%'`)
    const { createPool } = await import('mysql2/promise')
    const u = new URL(db.url)
    u.username = user
    u.password = 'pw'
    const pool = createPool({ uri: u.toString(), connectionLimit: 1 })
    t.after(() => pool.end())
    const r = new ProcesslistSource({ client: new DbClient({ pool, server: 'test', queryTimeoutMs: 5000 }), schemas: [db.name], maxShapes: 10, windowMs: 0, intervalMs: 10 })
    await t.rejects(r.collect(), { code: 'SIPUP_ERR_DB_PRIVILEGE', message: /Missing privilege PROCESS ON \*\.\*/ })
  })

  t.test('slow log: off → not available; TABLE and FILE read and filtered to this database', async t => {
    const saved = await globals(['slow_query_log', 'log_output', 'slow_query_log_file'])
    const file = join(tmpdir(), `sipup-slow-${process.pid}.log`)
    t.after(async () => {
      await root.query('SET GLOBAL slow_query_log = 0')
      await root.query('SET GLOBAL log_output = ?', [saved.log_output])
      await root.query('SET GLOBAL slow_query_log_file = ?', [saved.slow_query_log_file])
      await root.query('SET GLOBAL slow_query_log = ?', [saved.slow_query_log])
      await rm(file, { force: true })
    })
    const source = (o: { file?: string } = {}) => new SlowLogSource({ ...common, maxAgeMs: 3_600_000, file: o.file ?? '', maxFileBytes: 64 * 1024 * 1024 })
    await root.query('SET GLOBAL slow_query_log = 0')
    t.match((await source().collect()).report, { available: false, reason: /slow_query_log is OFF/, enable: /SET GLOBAL slow_query_log = 1, log_output = 'TABLE'/ })

    // One statement each: changing the file in the same SET as slow_query_log leaves the log off.
    await root.query('SET GLOBAL slow_query_log_file = ?', [file])
    await root.query("SET GLOBAL log_output = 'TABLE,FILE'")
    await root.query('SET GLOBAL slow_query_log = 1')
    // Only this session logs everything: MariaDB's slow_query_log and long_query_time are per session too, and
    // sessions opened before the SET GLOBAL keep logging nothing.
    const conn = await db.pool.getConnection()
    try {
      await conn.query('SET SESSION slow_query_log = 1, long_query_time = 0')
      for (let round = 0; round < 3; round++) for (const sql of workloadVariants(round)) await conn.query(sql)
    } finally {
      await conn.query('SET SESSION slow_query_log = 0, long_query_time = DEFAULT')
      conn.release()
    }
    const table = await source().collect()
    t.equal(table.report.available, true)
    const fromTable = shapeOf(table.shapes, SLOW_SHAPES.customerOrders)
    t.equal(fromTable?.count, 3, 'three executions of one shape')
    t.ok((fromTable?.rowsExamined ?? 0) >= 3 * 190_000, 'rows examined from the log')
    t.ok(shapeOf(table.shapes, SERVED_SHAPES.orderById) !== undefined, 'fast statements too when long_query_time is 0')
    t.ok(table.shapes.every(s => s.schema === db.name))

    const fromFile = await source({ file }).collect()
    t.equal(fromFile.report.available, true)
    t.equal(shapeOf(fromFile.shapes, SLOW_SHAPES.customerOrders)?.count, 3, 'the file has the same entries')
    t.same(fromFile.shapes.map(s => s.fingerprint).sort(), table.shapes.map(s => s.fingerprint).sort())

    const unreadable = await source({ file: join(tmpdir(), 'no-such-dir', 'slow.log') }).collect()
    t.match(unreadable.report, { available: false, reason: /can't be read here \(ENOENT\)/ })
  })

  t.test('userstat: unused indexes where statistics exist, IGNORED first', async t => {
    const saved = await globals(['userstat'])
    t.after(() => root.query('SET GLOBAL userstat = ?', [saved.userstat]))
    await root.query('SET GLOBAL userstat = 0')
    t.match(await readIndexUsage(client, [db.name]), { available: false, enable: /SET GLOBAL userstat = 1/ })
    await root.query('SET GLOBAL userstat = 1')
    for (let round = 0; round < 2; round++) for (const sql of workloadVariants(round)) await db.pool.query(sql)
    const usage = await readIndexUsage(client, [db.name])
    t.equal(usage.available, true)
    const unused = usage.unused.map(u => `${u.table}.${u.index}`)
    t.ok(unused.includes('orders.ix_note'), `ix_note unused (${unused.join(', ')})`)
    t.notOk(unused.includes('products.ix_category_price'), 'a used index is not')
    const fx = await createAdmin(db)
    t.after(() => fx.close())
    const a = await fx.admin.analyze({ statements: [], actor: 'test' })
    const s = a.suggestions.find(x => x.kind === 'ignore-index' && x.index === 'ix_note')
    t.match(s, { table: 'orders', applicable: true, ddl: /ALTER INDEX `ix_note` IGNORED/, reason: /no reads recorded by userstat/ })
    t.match(a.indexUsage, { source: 'userstat', available: true })
  })
})
