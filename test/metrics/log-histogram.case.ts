// Percentiles of the fixed log histogram overstate by at most one bucket and never understate.
import t from '../helpers/cases.js'
import { COARSE, FINE, LogHistogram } from '../../src/plugins/metrics/log-histogram.js'

t.test('percentiles within one bucket of the exact value', async t => {
  for (const shape of [FINE, COARSE]) {
    const h = new LogHistogram(shape)
    const values = Array.from({ length: 1000 }, (_, i) => 0.5 + i * 0.75)
    for (const v of values) h.record(v)
    for (const p of [50, 95, 99]) {
      const exact = values[Math.ceil(values.length * p / 100) - 1]
      const got = h.percentile(p)
      t.ok(got >= exact && got <= exact * shape.growth * 1.0001, `growth ${shape.growth} p${p}: ${got} vs ${exact}`)
    }
  }
})

t.test('empty, reset and add', async t => {
  const a = new LogHistogram(FINE)
  t.ok(Number.isNaN(a.percentile(50)))
  a.record(5)
  const b = new LogHistogram(FINE)
  b.record(500)
  b.record(500)
  a.add(b)
  t.equal(a.total, 3)
  t.ok(a.percentile(50) >= 500)
  a.reset()
  t.equal(a.total, 0)
  t.ok(Number.isNaN(a.percentile(99)))
})
