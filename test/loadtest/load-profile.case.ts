import t from '../helpers/cases.js'
import { LoadProfile, parseRamp } from '../../src/loadtest/load-profile.js'
import { parseDuration } from '../../src/config/units.js'

t.test('without a ramp the level is constant; warm-up comes first, then --duration', async t => {
  const p = new LoadProfile(50, 2000, 10_000)
  t.equal(p.level(0), 50)
  t.equal(p.level(11_000), 50)
  t.equal(p.totalMs, 12_000)
  t.equal(p.warmupMs, 2000)
})

t.test('ramp stages go linearly from 0, then the last level is held for --duration', async t => {
  const p = new LoadProfile(0, 0, 5000, parseRamp('10s:100,10s:300', parseDuration))
  t.equal(p.level(0), 0)
  t.equal(p.level(5000), 50)
  t.equal(p.level(10_000), 100)
  t.equal(p.level(15_000), 200)
  t.equal(p.level(22_000), 300)
  t.equal(p.totalMs, 25_000)
  t.equal(p.peak, 300)
})

t.test('a warm-up longer than the ramp hides the ramp from the figures', async t => {
  const p = new LoadProfile(0, 30_000, 20_000, [{ durationMs: 20_000, target: 1000 }])
  t.equal(p.totalMs, 50_000)
  t.equal(p.level(25_000), 1000)
})

t.test('bad stages are refused', async t => {
  t.throws(() => parseRamp('10s', parseDuration), /stage '10s'/)
  t.throws(() => parseRamp('ten:5', parseDuration), /stage 'ten:5'/)
})
