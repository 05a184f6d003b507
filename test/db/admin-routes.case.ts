// The DB panel's admin API through a real sidecar (inject): suggestions, apply behind auth and CSRF, changes with
// their measured gain, undo, report, readiness and the feature report; an unreachable server answers 503.
import t from '../helpers/cases.js'
import { requireMysql } from '../helpers/services.js'
import { startSidecar } from '../helpers/sidecar.js'
import { createAdmin, measureWorkload } from './fixtures/advisor.js'
import { createTestDatabase, seedB2b, showCreateTables, SLOW_SHAPES, uniqueDbName } from './fixtures/b2b-schema.js'

const TOKEN = 'db-routes-test-token-0123456789abcdef'
const auth = { authorization: `Bearer ${TOKEN}` }

interface SuggestionsBody { analysis: { id: number } | null, suggestions: { id: string, kind: string, table: string, ddl: string, shapes: unknown[] }[] }

t.test('DB admin routes', async t => {
  if (!await requireMysql(t)) return
  const db = await createTestDatabase()
  t.after(() => db.drop())
  await seedB2b(db.pool)
  const auditSchema = uniqueDbName('audit')
  // The engine and the plugin share the audit schema, as a CLI run and a running sidecar do.
  const engine = await createAdmin(db, { verifyRuns: 2 }, undefined, auditSchema)
  t.after(() => engine.close())
  const sc = await startSidecar({
    admin: { token: TOKEN },
    mysql: { url: db.url },
    db: { enabled: true, auditSchema, verifyRuns: 2, processlistInterval: '20ms' }
  })
  t.after(() => sc.close())
  const app = sc.app

  t.test('the panel is available and empty before any analysis', async t => {
    const panels = (await app.inject({ url: '/_admin/api/panels', headers: auth })).json() as { db: { available: boolean, api: Record<string, string> } }
    t.equal(panels.db.available, true)
    t.equal(panels.db.api.apply, '/_admin/api/db/suggestions/apply')
    const r = await app.inject({ url: '/_admin/api/db/suggestions', headers: auth })
    t.equal(r.statusCode, 200)
    t.same(r.json(), { analysis: null, suggestions: [] })
    t.equal((await app.inject({ url: '/_admin/api/db/suggestions' })).statusCode, 401, 'behind admin auth')
  })

  t.test('readiness and the feature report include the database', async t => {
    const ready = (await app.inject('/_admin/ready')).json() as { checks: Record<string, { ok: boolean }> }
    t.equal(ready.checks.mysql?.ok, true)
    const f = (await app.inject({ url: '/_admin/api/features', headers: auth })).json() as { features: { name: string, state: string, detail: string }[] }
    t.match(f.features.find(x => x.name === 'db'), { state: 'on', detail: new RegExp(`advising on ${db.name}`) })
  })

  t.test('POST analyze samples the processlist for the given window', async t => {
    const r = await app.inject({ method: 'POST', url: '/_admin/api/db/analyze', headers: auth, payload: { sources: ['processlist'], window: '200ms' } })
    t.equal(r.statusCode, 200)
    t.match(r.json(), { analysis: { sources: [{ source: 'processlist', available: true }] } })
    const bad = await app.inject({ method: 'POST', url: '/_admin/api/db/analyze', headers: auth, payload: { window: '1h' } })
    t.match(bad, { statusCode: 400 })
    t.match(bad.json(), { code: 'SIPUP_ERR_DB_BAD_REQUEST', detail: /window/ })
    const unknown = await app.inject({ method: 'POST', url: '/_admin/api/db/analyze', headers: auth, payload: { sources: ['tea-leaves'] } })
    t.equal(unknown.statusCode, 400)
  })

  t.test('suggestions, apply, changes with the measured gain, undo', async t => {
    const before = await showCreateTables(db.pool)
    await engine.admin.analyze({ statements: await measureWorkload(db, Object.values(SLOW_SHAPES)), actor: 'cli:test' })
    const list = (await app.inject({ url: '/_admin/api/db/suggestions', headers: auth })).json() as SuggestionsBody
    const s = list.suggestions.find(x => x.kind === 'add-index' && x.table === 'order_items')
    t.ok(s !== undefined, 'the analysis made elsewhere is served here')
    if (s === undefined) return
    t.ok(s.shapes.length > 0 && s.ddl.includes('LOCK=NONE'), 'with evidence and DDL')

    t.equal((await app.inject({ method: 'POST', url: '/_admin/api/db/suggestions/apply', payload: { id: s.id } })).statusCode, 401)
    t.equal((await app.inject({ method: 'POST', url: '/_admin/api/db/suggestions/apply', headers: auth, payload: {} })).statusCode, 400)
    const missing = await app.inject({ method: 'POST', url: '/_admin/api/db/suggestions/apply', headers: auth, payload: { id: 'nope' } })
    t.match(missing, { statusCode: 404 })
    t.match(missing.json(), { code: 'SIPUP_ERR_DB_SUGGESTION_NOT_FOUND' })

    const dry = await app.inject({ method: 'POST', url: '/_admin/api/db/suggestions/apply', headers: auth, payload: { id: s.id, dryRun: true } })
    t.match(dry.json(), { dryRun: true, change: null })
    const applied = await app.inject({ method: 'POST', url: '/_admin/api/db/suggestions/apply', headers: auth, payload: { id: s.id } })
    t.equal(applied.statusCode, 200)
    const change = (applied.json() as { change: { id: number, appliedBy: string, verdict: string, speedup: number } }).change
    t.match(change, { appliedBy: /^admin:token@127\.0\.0\.1$/, verdict: 'helped' })
    t.ok(change.speedup > 2, `speed-up ${change.speedup}`)

    const after = (await app.inject({ url: '/_admin/api/db/suggestions', headers: auth })).json() as { suggestions: { id: string, appliedChange: number | null }[] }
    t.equal(after.suggestions.find(x => x.id === s.id)?.appliedChange, change.id, 'the applied suggestion says by which change')
    const changes = (await app.inject({ url: '/_admin/api/db/changes', headers: auth })).json() as { changes: { id: number, status: string }[] }
    t.same(changes.changes.map(c => [c.id, c.status]), [[change.id, 'applied']])
    const report = (await app.inject({ url: '/_admin/api/db/report', headers: auth })).json() as { tables: { table: string }[], changes: unknown[] }
    t.ok(report.tables.some(x => x.table === 'orders'))
    t.equal(report.changes.length, 1)

    const undo = await app.inject({ method: 'POST', url: '/_admin/api/db/changes/undo', headers: auth, payload: { id: change.id } })
    t.match(undo.json(), { change: { id: change.id, status: 'undone' } })
    t.same(await showCreateTables(db.pool), before)
    const again = await app.inject({ method: 'POST', url: '/_admin/api/db/changes/undo', headers: auth, payload: { id: change.id } })
    t.match(again.json(), { status: 404, code: 'SIPUP_ERR_DB_CHANGE_NOT_FOUND' })
  })

  t.test('an unreachable server: degraded feature, 503 with the code, not ready; CSRF still required', async t => {
    const down = await startSidecar({ mysql: { url: 'mysql://root@127.0.0.1:1/shop', connectTimeout: '500ms' }, db: { enabled: true, auditSchema: uniqueDbName('audit') } })
    t.after(() => down.close())
    const f = (await down.app.inject('/_admin/api/features')).json() as { features: { name: string, state: string, detail: string }[], health: Record<string, { ok: boolean, reason?: string }> }
    t.match(f.features.find(x => x.name === 'db'), { state: 'degraded', detail: /unreachable/ })
    t.match(f.health.mysql, { ok: false, reason: /ECONNREFUSED/ })
    const r = await down.app.inject('/_admin/api/db/suggestions')
    t.equal(r.statusCode, 503)
    t.match(r.json(), { status: 503, code: 'SIPUP_ERR_DB_UNREACHABLE', detail: /unreachable/ }, 'the code, and for operators what is down')
    const post = await down.app.inject({ method: 'POST', url: '/_admin/api/db/suggestions/apply', payload: { id: 'x' } })
    t.match(post.json(), { status: 403, code: 'SIPUP_ERR_ADMIN_CSRF' }, 'a loopback POST without the dashboard\'s token is refused')
  })
})
