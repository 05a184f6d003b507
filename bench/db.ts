// bench/db: the seeded B2B shop's workload before and after `db apply`, side by side in one run. After the advisor
// analysed the workload and applied its index suggestions, each round runs the workload twice: once with the new
// indexes IGNORED (the optimizer plans as before they existed; toggling is instant) and once with them in use, so
// both sides see the same buffer pool and machine load. Prints per-shape medians and the total; the headline ratio
// is the last line. Target: the workload >= 10x faster after apply.
//   npm run bench:db [-- --rounds 7 --repeat 10]
import { Registry } from 'prom-client'
import { loadConfig } from '../src/sidecar-config.js'
import { DbAdmin } from '../src/plugins/db/db-admin.js'
import { qualified, quoteId } from '../src/plugins/db/db-client.js'
import { median } from '../src/plugins/db/explain.js'
import { LocalLocks } from '../src/core/fleet-lock.js'
import { normalizeSql } from '../src/plugins/db/normalize.js'
import { resolveDbOptions } from '../src/plugins/db/options.js'
import type { GivenStatement } from '../src/plugins/db/sources/statements-source.js'
import type { ChangeRecord } from '../src/plugins/db/types.js'
import { createTestDatabase, seedB2b, workloadVariants, uniqueDbName } from '../test/db/fixtures/b2b-schema.js'
import type { Pool } from 'mysql2/promise'
import { benchArgs } from './lib/args.js'

const values = benchArgs({
  name: 'bench/db',
  summary: 'The seeded B2B shop\'s workload before and after `db apply`, side by side in one run (new indexes IGNORED vs in use). Target: >= 10x faster after apply.',
  options: {
    rounds: { type: 'int', default: 5, description: 'rounds, each running the workload without and with the new indexes' },
    repeat: { type: 'int', default: 8, description: 'workload variants per measured pass' }
  }
})
const ROUNDS = values.rounds
/** Workload variants per measured pass (each variant = one execution of each of the 8 shapes). */
const REPEAT = values.repeat

const quiet = { info () {}, warn () {}, error () {} }

/** One pass of the workload: ms per shape (summed over REPEAT variants) and in total. */
async function pass (pool: Pool, offset: number): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  for (let r = 0; r < REPEAT; r++) {
    for (const sql of workloadVariants(offset + r)) {
      const t0 = performance.now()
      await pool.query(sql)
      const ms = performance.now() - t0
      const shape = normalizeSql(sql)
      out.set(shape, (out.get(shape) ?? 0) + ms)
    }
  }
  return out
}

async function setIgnored (pool: Pool, changes: readonly ChangeRecord[], ignored: boolean): Promise<void> {
  for (const c of changes) {
    await pool.query(`ALTER TABLE ${qualified(c.schema, c.table)} ALTER INDEX ${quoteId(c.index)} ${ignored ? 'IGNORED' : 'NOT IGNORED'}, ALGORITHM=INPLACE, LOCK=NONE`)
  }
}

async function main (): Promise<void> {
  const db = await createTestDatabase('bench')
  const auditSchema = uniqueDbName('bench_audit')
  try {
    const t0 = performance.now()
    await seedB2b(db.pool)
    process.stderr.write(`seeded ${db.name} in ${Math.round(performance.now() - t0)} ms\n`)
    await pass(db.pool, 1000) // warm the buffer pool

    // What a slow log would have recorded: one measured pass of the workload.
    const given: GivenStatement[] = []
    for (let r = 0; r < REPEAT; r++) {
      for (const sql of workloadVariants(r)) {
        const s0 = performance.now()
        await db.pool.query(sql)
        given.push({ sql, schema: db.name, ms: performance.now() - s0 })
      }
    }
    const { config } = loadConfig({ env: {}, overrides: { mysql: { url: db.url }, db: { enabled: true, auditSchema, verifyRuns: 3 } } })
    const locks = new LocalLocks()
    const admin = new DbAdmin({ pool: db.pool, registry: new Registry(), logger: quiet, options: resolveDbOptions(config.db, config.mysql), lock: (name, ttlMs) => locks.acquire(name, ttlMs) })
    const analysis = await admin.analyze({ statements: given, actor: 'bench' })
    const adds = analysis.suggestions.filter(s => s.kind === 'add-index')
    const changes: ChangeRecord[] = []
    const a0 = performance.now()
    for (const s of adds) {
      const plan = await admin.apply(s.id, { actor: 'bench', allowLarge: false, dryRun: false })
      if (plan.change !== null) changes.push(plan.change)
    }
    process.stderr.write(`applied ${changes.length} index(es) in ${Math.round(performance.now() - a0)} ms: ${changes.map(c => `${c.table}(${c.columns.join(', ')})`).join('; ')}\n`)

    const before: Map<string, number>[] = []
    const after: Map<string, number>[] = []
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which side goes first, so neither always runs on a warmer cache.
      const order = round % 2 === 0 ? [true, false] : [false, true]
      for (const ignored of order) {
        await setIgnored(db.pool, changes, ignored)
        ;(ignored ? before : after).push(await pass(db.pool, round * REPEAT))
      }
    }
    await setIgnored(db.pool, changes, false)

    const shapes = [...before[0].keys()]
    const med = (runs: Map<string, number>[], k: string): number => median(runs.map(r => r.get(k) ?? 0))
    const total = (runs: Map<string, number>[]): number[] => runs.map(r => [...r.values()].reduce((a, b) => a + b, 0))
    console.log(`bench/db: ${analysis.shapes.length} shapes x ${REPEAT} executions per pass, ${ROUNDS} interleaved rounds (new indexes IGNORED vs used), medians`)
    console.log(`${'shape'.padEnd(72)}  ${'before ms'.padStart(10)}  ${'after ms'.padStart(10)}  speed-up`)
    for (const k of shapes) {
      const b = med(before, k)
      const a = med(after, k)
      console.log(`${k.slice(0, 72).padEnd(72)}  ${b.toFixed(1).padStart(10)}  ${a.toFixed(1).padStart(10)}  ${(b / a).toFixed(1)}x`)
    }
    const tb = median(total(before))
    const ta = median(total(after))
    const perRound = total(before).map((b, i) => b / total(after)[i])
    console.log(`${'whole workload'.padEnd(72)}  ${tb.toFixed(1).padStart(10)}  ${ta.toFixed(1).padStart(10)}  ${(tb / ta).toFixed(1)}x`)
    console.log(`per-round ratios: ${perRound.map(r => r.toFixed(1)).join(' ')}`)
    for (const c of changes) await admin.undo(c.id, 'bench')
    console.log(`headline: workload ${median(perRound).toFixed(1)}x faster after db apply (${changes.length} indexes; median of ${ROUNDS} per-round ratios; target >= 10x)`)
  } finally {
    await db.pool.query(`DROP DATABASE IF EXISTS ${quoteId(auditSchema)}`).catch(() => undefined)
    await db.drop()
  }
}

main().catch(err => { console.error(err); process.exit(1) })
