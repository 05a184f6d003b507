// Two sidecars sharing Redis (tiered store): after a purge on A answers, B stops serving its memory copy, every
// round, through the purge message and not through expiry (the page's max-age is 600 s), measured as
// bench/lib/purge-propagation.ts describes (polling B every 5 ms while both serve a background load).
// The 100 ms target of issue 16 is a speed goal: bench/purge.ts measures it on a quiet machine. Here the bound is
// one a loaded CI machine meets too (a test process can wait 100+ ms for a core when ~190 files share two).
import t from '../helpers/cases.js'
import { ADMIN_TOKEN, twoInstances } from './fixtures/two-instances.js'
import { measurePurgePropagation } from '../../bench/lib/purge-propagation.js'

const BOUND_MS = 2000
const ROUNDS = 10

t.test(`a purge on A reaches B's memory cache (within ${BOUND_MS} ms, far inside the page's 600 s max-age)`, async t => {
  const set = await twoInstances(t, 'cache-purge-100ms', (req, res) => {
    res.setHeader('cache-control', 'max-age=600')
    res.end(`page ${req.url}`)
  })
  if (set === null) return
  const { a, b } = set
  const rounds = await measurePurgePropagation({ a: a.url, b: b.url, token: ADMIN_TOKEN, host: 'shop.test' },
    { rounds: ROUNDS, pollMs: 5, giveUpMs: BOUND_MS + 1000, loaders: 4 })
  rounds.forEach((r, i) => {
    t.ok(r.held, `round ${i}: B holds the page`)
    t.equal(r.purgeStatus, 200, `round ${i}: the purge answered 200`)
  })
  const worst = rounds.map(r => r.ms)
  t.comment(`purge → B miss, ms per round: ${worst.map(w => w.toFixed(1)).join(' ')}`)
  t.ok(worst.every(w => w <= BOUND_MS), `every round within ${BOUND_MS} ms (worst ${Math.max(...worst).toFixed(1)} ms)`)
})
