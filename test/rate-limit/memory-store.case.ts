import t from '../helpers/cases.js'
import { MemoryStore } from '../../src/plugins/rate-limit/memory-store.js'
import { storeSuite } from './store-suite.js'

storeSuite(t, async (_t, ban) => ({ store: new MemoryStore({ maxKeys: 1000, ban }) }))

t.test('memory is bounded: stale counters go first, live ones get a second chance', async t => {
  const { BoundedMap } = await import('../../src/plugins/rate-limit/bounded-map.js')
  const m = new BoundedMap<number>(4, until => until)
  m.set('live-a', 1000, 0)
  m.set('stale', 10, 0)
  m.set('live-b', 1000, 0)
  m.set('live-c', 1000, 0)
  m.set('new', 1000, 500)
  t.equal(m.size, 4)
  t.equal(m.get('stale'), undefined, 'the expired entry was dropped, though not the oldest')
  t.equal(m.get('live-a'), 1000, 'the oldest, still live, got a second chance')
  for (let i = 0; i < 100; i++) m.set(`k${i}`, 1000, 500)
  t.equal(m.size, 4, 'all live: still bounded')
  m.set('live-a', 2000, 500)
  t.equal(m.get('live-a'), 2000, 'writes update in place')
})

t.test('strikes outside the period do not add up', async t => {
  const store = new MemoryStore({ maxKeys: 100, ban: { strikes: 2, withinMs: 1000, durationMs: 60_000 } })
  t.equal(store.strike('s', 0).banStartedMs, 0)
  t.equal(store.strike('s', 5000).banStartedMs, 0, 'the period restarted')
  t.equal(store.strike('s', 5500).banStartedMs, 60_000, 'two strikes within the period ban')
})
