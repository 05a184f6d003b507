import t from '../helpers/cases.js'
import { BoundedMap } from '../../src/plugins/rate-limit/bounded-map.js'

t.test('a deleted key leaves a stale slot the next insert reclaims, without evicting a live entry', async t => {
  const m = new BoundedMap<number>(3, until => until)
  m.set('a', 1000, 0)
  m.set('b', 1000, 0)
  m.set('c', 1000, 0)
  m.delete('a')
  m.set('d', 1000, 0)
  t.equal(m.size, 3)
  t.same([...m.entries()].map(([k]) => k), ['b', 'c', 'd'], 'b and c survive: the freed slot was used')
})

t.test('a key deleted and set again is not evicted through its old slot', async t => {
  const m = new BoundedMap<number>(3)
  m.set('a', 1)
  m.set('b', 2)
  m.set('c', 3)
  m.delete('a')
  m.set('a', 4)
  // Full: the oldest is now b, not the re-added a.
  m.set('e', 5)
  t.equal(m.get('a'), 4)
  t.equal(m.get('b'), undefined)
  t.equal(m.size, 3)
})

t.test('updates in place keep the entry\'s place in line', async t => {
  const m = new BoundedMap<number>(2)
  m.set('a', 1)
  m.set('b', 2)
  m.set('a', 3)
  m.set('c', 4)
  t.equal(m.get('a'), undefined, 'a was still the oldest insert')
  t.equal(m.get('b'), 2)
  t.equal(m.get('c'), 4)
})

t.test('bounded under churn of new, deleted and re-set keys; clear empties it', async t => {
  const m = new BoundedMap<number>(100, v => v)
  let largest = 0
  for (let i = 0; i < 10_000; i++) {
    m.set(`k${i}`, i % 3 === 0 ? 0 : 1e9, 500)
    if (i % 7 === 0) m.delete(`k${i - 3}`)
    if (i % 11 === 0) m.set(`k${i - 50}`, 1e9, 500)
    largest = Math.max(largest, m.size)
  }
  t.ok(largest <= 100 && largest >= 90, `bounded and still used: at most ${largest}`)
  m.clear()
  t.equal(m.size, 0)
  m.set('x', 1, 0)
  t.equal(m.get('x'), 1)
})
