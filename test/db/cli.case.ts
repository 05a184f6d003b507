// `sipup-sidecar db` from a shell: the whole loop (analyze, dry run, apply, report, undo) and clear errors, never a
// stack: bad usage, an unreachable server, a source the server can't provide, a missing privilege named.
import t from '../helpers/cases.js'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { createPool } from 'mysql2/promise'
import { runDb } from '../../src/plugins/db/commands/db.js'
import { requireMysql } from '../helpers/services.js'
import { rootPool } from './fixtures/advisor.js'
import { createTestDatabase, seedB2b, showCreateTables, uniqueDbName, workloadVariants } from './fixtures/b2b-schema.js'
import { cliContext } from '../../src/cli/context.js'

function sink (): { stream: Writable, text: () => string } {
  const chunks: Buffer[] = []
  return { stream: new Writable({ write (c, _e, cb) { chunks.push(Buffer.from(c)); cb() } }), text: () => Buffer.concat(chunks).toString('utf8') }
}

async function db (args: string[]): Promise<{ code: number, out: string, err: string }> {
  const out = sink()
  const err = sink()
  const code = await runDb(args, { stdout: out.stream, stderr: err.stream }, cliContext)
  return { code, out: out.text(), err: err.text() }
}

t.test('db command', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'sipup-db-cli-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const config = async (name: string, url: string, audit = uniqueDbName('audit')): Promise<string> => {
    const file = join(dir, `${name}.yaml`)
    await writeFile(file, `redis:\n  enabled: false\nmysql:\n  url: ${url}\n  connectTimeout: 1s\ndb:\n  auditSchema: ${audit}\n  processlistInterval: 20ms\n  verifyRuns: 2\n`)
    return file
  }

  t.test('bad usage exits 2 with the reason', async t => {
    t.match(await db([]), { code: 2, err: /missing command/ })
    t.match(await db(['frobnicate']), { code: 2, err: /unknown db command 'frobnicate'/ })
    // An unknown option is a usage error with the usage, not a parse exception out of the command.
    t.match(await db(['report', '--frobnicate']), { code: 2, err: /Unknown option '--frobnicate'[\s\S]*Usage: sipup-sidecar db/ })
    t.match(await db(['--help']), { code: 0, out: /^Usage: sipup-sidecar db/ })
    t.match(await db(['analyze', '--source', 'tea', '-c', await config('u', 'mysql://root@127.0.0.1:1/shop')]), { code: 2, err: /SIPUP_ERR_DB_BAD_REQUEST: .*--source: expected digest\|slowlog\|processlist\|all, got 'tea'/ })
    t.match(await db(['report', '-c', await config('nodb', 'mysql://root@127.0.0.1:1/')]), { code: 2, err: /SIPUP_ERR_DB_NOT_CONFIGURED: .*names no database/ })
  })

  t.test('an unreachable server: exit 1, the code and the redacted URL, no stack', async t => {
    const r = await db(['report', '-c', await config('down', 'mysql://root:secret@127.0.0.1:1/shop')])
    t.equal(r.code, 1)
    t.match(r.err, /SIPUP_ERR_DB_UNREACHABLE: Database server mysql:\/\/root:\[redacted\]@127\.0\.0\.1:1\/shop unreachable: 'ECONNREFUSED/)
    t.notMatch(r.err, /secret|\n\s+at /)
  })

  t.test('against the seeded shop', async t => {
    if (!await requireMysql(t)) return
    const shop = await createTestDatabase()
    t.after(() => shop.drop())
    await seedB2b(shop.pool)
    const audit = uniqueDbName('audit')
    t.after(() => shop.pool.query(`DROP DATABASE IF EXISTS \`${audit}\``))
    const file = await config('shop', shop.url, audit)

    t.test('a source this server cannot provide is named with its setting', async t => {
      const [[ps]] = await shop.pool.query('SELECT @@performance_schema AS on_') as unknown as [[{ on_: number }]]
      if (Number(ps.on_) === 1) { t.pass('performance_schema is on here'); return }
      t.match(await db(['analyze', '--source', 'digest', '-c', file]), { code: 1, err: /SIPUP_ERR_DB_SOURCE_UNAVAILABLE: .*performance_schema=ON/ })
    })

    t.test('analyze, dry run, apply, report, undo', async t => {
      const before = await showCreateTables(shop.pool)
      let stop = false
      const runner = (async () => { for (let r = 0; !stop; r++) for (const sql of workloadVariants(r).slice(0, 3)) if (!stop) await shop.pool.query(sql) })()
      const analyzed = await db(['analyze', '--source', 'processlist', '--window', '1500ms', '--json', '-c', file])
      stop = true
      await runner
      t.equal(analyzed.code, 0, analyzed.err)
      t.match(analyzed.err, /sampling the processlist/)
      const a = JSON.parse(analyzed.out) as { suggestions: { id: string, kind: string, index: string }[] }
      const s = a.suggestions.find(x => x.kind === 'add-index')
      t.ok(s !== undefined, 'an index suggested from the sampled workload')
      if (s === undefined) return

      const dry = await db(['apply', s.id, '-c', file])
      t.match(dry, { code: 0, out: /DRY RUN \(nothing changed; add --yes to apply\)/ })
      t.same(await showCreateTables(shop.pool), before)

      const applied = await db(['apply', '--yes', s.id, '-c', file])
      t.equal(applied.code, 0, applied.err)
      t.match(applied.out, /applied #1: ALTER TABLE .* ALGORITHM=INPLACE, LOCK=NONE/)
      t.match(applied.out, /helped: [\d.]+x faster; undo with `sipup-sidecar db undo 1`/)

      const report = await db(['report', '-c', file])
      t.match(report, { code: 0, out: /Tables:[\s\S]*orders[\s\S]*Top shapes by total time:[\s\S]*Changes made by the sidecar:\n {2}#1 applied/ })
      const json = JSON.parse((await db(['report', '--json', '-c', file])).out) as { tables: unknown[], changes: { id: number }[] }
      t.equal(json.changes[0].id, 1)

      t.match(await db(['undo', 'x', '-c', file]), { code: 2, err: /expected a change id/ })
      const undone = await db(['undo', '-c', file])
      t.match(undone, { code: 0, out: /undone: ALTER TABLE .* DROP INDEX/ })
      t.same(await showCreateTables(shop.pool), before)
      t.match(await db(['undo', '-c', file]), { code: 1, err: /SIPUP_ERR_DB_CHANGE_NOT_FOUND/ })
    })

    t.test('a missing privilege is named', async t => {
      const root = rootPool()
      t.after(() => root.end())
      const user = `sipup_cli_${process.pid}`
      await root.query(`CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY 'pw'`)
      t.after(() => root.query(`DROP USER IF EXISTS '${user}'@'%'`))
      await root.query(`GRANT SELECT ON \`${shop.name}\`.* TO '${user}'@'%'`)
      await root.query(`GRANT ALL PRIVILEGES ON \`${audit}\`.* TO '${user}'@'%'`)
      const u = new URL(shop.url)
      u.username = user
      u.password = 'pw'
      const limited = await config('limited', u.toString(), audit)
      const r = await db(['analyze', '--source', 'processlist', '--window', '0s', '-c', limited])
      t.equal(r.code, 1)
      t.match(r.err, /warning: missing privileges: PROCESS ON \*\.\*, ALTER ON sipup_test_db_\w+\.\*, INSERT ON sipup_test_db_\w+\.\*/)
      t.match(r.err, /SIPUP_ERR_DB_PRIVILEGE: Missing privilege PROCESS ON \*\.\*/)
      const pool = createPool({ uri: u.toString(), connectionLimit: 1 })
      t.after(() => pool.end())
      t.ok(await pool.query('SELECT 1'), 'the user itself works')
    })
  })
})
