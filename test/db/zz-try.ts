import { createTestDatabase, seedB2b, SLOW_SHAPES, SERVED_SHAPES, CUSTOMER_ORDER_COUNT, UNPARSEABLE } from './fixtures/b2b-schema.js'
import { createAdmin, measureWorkload } from './fixtures/advisor.js'
import { formatAnalysis } from '../../src/plugins/db/report.js'
const db = await createTestDatabase('scratch')
try {
  await seedB2b(db.pool)
  const f = await createAdmin(db, { partitionMinRows: 100000 })
  try {
    const st = await measureWorkload(db, [...Object.values(SLOW_SHAPES), ...Object.values(SERVED_SHAPES), CUSTOMER_ORDER_COUNT, UNPARSEABLE])
    const a = await f.admin.analyze({ actor: 'me', statements: st })
    console.log(formatAnalysis(a))
    const id = a.suggestions[0].id
    const plan = await f.admin.apply(id, { actor: 'me', allowLarge: false, dryRun: false })
    console.log(JSON.stringify(plan.change, null, 1).slice(0, 3000))
    console.log(await f.admin.undo(null, 'me'))
  } finally { await f.close() }
} finally { await db.drop() }
