import t from '../helpers/cases.js'
import { CounterTable } from '../../src/plugins/rate-limit/counter-table.js'
import { MemoryStore } from '../../src/plugins/rate-limit/memory-store.js'
import { makeTier } from '../../src/plugins/rate-limit/tiers.js'
import type { Check, Tier } from '../../src/plugins/rate-limit/types.js'

function check (tier: Tier, id: string): Check {
  return { tier, id, key: `${tier.name}:${id}`, want: 1 }
}

t.test('stale ids go first, live ones get a second chance, like BoundedMap', async t => {
  const m = new CounterTable(4)
  const col = m.column('ip')
  for (const [id, until] of [['live-a', 1000], ['stale', 10], ['live-b', 1000], ['live-c', 1000]] as const) {
    m.setTat(m.add(id, 0), col, until)
  }
  m.setTat(m.add('new', 500), col, 1000)
  t.equal(m.size, 4)
  t.equal(m.row('stale'), -1, 'the expired id was dropped, though not the oldest')
  t.equal(m.tat(m.row('live-a'), col), 1000, 'the oldest, still live, got a second chance')
  t.equal(m.tat(m.row('new'), col), 1000, 'the new id took the freed row with its own counter')
  for (let i = 0; i < 100; i++) m.setTat(m.add(`k${i}`, 500), col, 1000)
  t.equal(m.size, 4, 'all live: still bounded, the oldest goes after the second chances')
  t.same([...m.entries()].map(([id]) => id).sort(), ['k96', 'k97', 'k98', 'k99'])
})

t.test('a reused row starts without counters; columns added later apply to every row', async t => {
  const m = new CounterTable(2)
  const ip = m.column('ip')
  m.setTat(m.add('a', 0), ip, 5)
  m.setTat(m.add('b', 0), ip, 6)
  const user = m.column('user')
  t.equal(m.column('ip'), ip, 'a known tier keeps its column')
  t.ok(Number.isNaN(m.tat(m.row('a'), user)), 'no counter for the new tier yet')
  t.equal(m.tat(m.row('b'), ip), 6, 'counters survive the wider rows')
  const c = m.add('c', 100)
  t.equal(m.row('a'), -1, 'a (expired) was evicted')
  t.ok(Number.isNaN(m.tat(c, ip)) && Number.isNaN(m.tat(c, user)), 'the row came back empty')
  t.equal(m.holds(c, 'c'), true)
  t.equal(m.holds(c, 'a'), false)
})

t.test('grows past its initial rows and keeps exact counters for every id up to its cap', async t => {
  const n = 5000
  const m = new CounterTable(n)
  const col = m.column('ip')
  for (let i = 0; i < n; i++) m.setTat(m.add(`id${i}`, 0), col, i + 0.5)
  t.equal(m.size, n)
  let ok = 0
  for (let i = 0; i < n; i++) if (m.tat(m.row(`id${i}`), col) === i + 0.5) ok++
  t.equal(ok, n, 'every TAT read back exactly')
})

t.test('memory store on the table: exact counts per id across many ids, bounded by maxKeys', async t => {
  const store = new MemoryStore({ maxKeys: 3000, ban: null })
  const ip = makeTier('ip', 5, 60_000, false)
  const user = makeTier('user', 8, 60_000, false)
  const T0 = 1_800_000_000_000
  let allowed = 0
  for (let round = 0; round < 7; round++) {
    for (let i = 0; i < 2000; i++) {
      const id = `ip=10.0.${i >> 8}.${i & 255}`
      if (store.consume(null, [check(ip, id), check(user, id)], T0).allowed) allowed++
    }
  }
  t.equal(allowed, 2000 * 5, 'each of 2000 ids admitted exactly its limit of 5 in one instant')
  const r = store.consume(null, [check(ip, 'ip=10.0.0.0'), check(user, 'ip=10.0.0.0')], T0)
  t.same(r.results.map(x => x.remaining), [0, 3], 'the user counter saw only the admitted requests')
  for (let i = 0; i < 5000; i++) store.consume(null, [check(ip, `other${i}`)], T0 + 120_000)
  t.equal(store.ids, 3000, 'bounded by maxKeys')
})

t.test('an id evicted for another id of the same request is written to its own row again', async t => {
  const store = new MemoryStore({ maxKeys: 100, ban: null })
  const T0 = 1_800_000_000_000
  const a = makeTier('a', 10, 1000, false)
  const b = makeTier('b', 10, 60_000, false)
  // 'old' is the oldest id and expired by T0 + 5000: adding 'fresh' evicts it, then the request writes it again.
  store.consume(null, [check(a, 'old')], T0)
  for (let i = 0; i < 99; i++) store.consume(null, [check(b, `live${i}`)], T0)
  const r = store.consume(null, [check(a, 'fresh'), check(a, 'old')], T0 + 5000)
  t.equal(r.allowed, true)
  const counters = new Map(store.counters())
  t.same(counters.get('fresh'), { a: T0 + 5100 }, "fresh's counter in its own row")
  t.same(counters.get('old'), { a: T0 + 5100 }, "old's counter is its own, not written into fresh's row")
  t.equal(store.ids, 100)
})
