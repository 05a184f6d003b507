// A load split over processes merges exactly: the parts' recorders, serialized as the processes send them and
// added up, give the same figures (every percentile, count, status, detail and timeline second) as one recorder
// that saw every sample, never an average of the parts' percentiles.
import t from '../helpers/cases.js'
import { Recorder, type Sample } from '../../src/loadtest/recorder.js'
import { deserializeOutcome, mergeOutcomes, serializeOutcome } from '../../src/loadtest/merge.js'
import { toResult } from '../../src/loadtest/result.js'
import type { RunOutcome } from '../../src/loadtest/engine.js'
import { createHistogram, decodeHistogram, encodeHistogram, recordMs } from '../../src/loadtest/histogram.js'
import { emptyWindow } from '../../src/loadtest/virtual-user.js'

const FROM = 1000

/** Deterministic samples with a long tail: the parts' tails differ, so averaging their p99s would be wrong. */
function samples (n: number, seed: number, slow: number): Sample[] {
  let x = seed
  const next = (): number => { x = (x * 1103515245 + 12345) % 2 ** 31; return x / 2 ** 31 }
  return Array.from({ length: n }, (_, i) => {
    const intended = FROM + i * 10
    const tail = next() < slow
    const ms = tail ? 1000 + next() * 4000 : 5 + next() * 40
    const status = next() < 0.05 ? 503 : next() < 0.01 ? 0 : 200
    return {
      name: i % 3 === 0 ? 'product' : 'catalog',
      intended,
      sent: intended + 1,
      end: intended + ms,
      status,
      ok: status === 200,
      error: status === 0 ? 'timeout' : null,
      cache: status === 200 && i % 2 === 0 ? 'hit' : status === 0 ? 'none' : 'miss',
      detail: status === 200 && i % 2 === 0 ? 'hit' : ''
    }
  })
}

function outcome (r: Recorder, users: number, cpu: number): RunOutcome {
  return {
    recorder: r,
    measuredMs: 20_000,
    connections: { open: users, connects: users, connectErrors: 0, minOpen: users - 1, maxOpen: users, users, window: { ...emptyWindow(), reconnects: 2 } },
    unfinished: 1,
    loadGenerator: { cpuPercent: cpu, eventLoopDelayP99Ms: cpu / 10 }
  }
}

t.test('two parts merged equal one recorder of all samples', async t => {
  const a = samples(3000, 7, 0.002)
  const b = samples(2000, 11, 0.03)
  const whole = new Recorder(FROM, true)
  const pa = new Recorder(FROM, true)
  const pb = new Recorder(FROM, true)
  for (const s of a) { whole.record(s); pa.record(s) }
  for (const s of b) { whole.record(s); pb.record(s) }
  const wire = [outcome(pa, 300, 60), outcome(pb, 200, 80)].map(o => deserializeOutcome(JSON.parse(JSON.stringify(serializeOutcome(o)))))
  const merged = toResult('x', mergeOutcomes(wire))
  const one = toResult('x', outcome(whole, 500, 0))
  t.same(merged.latency, one.latency, 'latency: every percentile, min, max, mean')
  t.same(merged.serviceLatency, one.serviceLatency)
  t.same(merged.byClass, one.byClass, 'per answer class, with its percentiles')
  t.same(merged.byRequest, one.byRequest)
  t.same(merged.cache, one.cache)
  t.same(merged.statuses, one.statuses)
  t.same(merged.errors, one.errors)
  t.same(merged.details, one.details)
  t.same(merged.timeline, one.timeline, 'per second of the window')
  t.same(merged.percentileCurve, one.percentileCurve)
  t.equal(merged.requests, 5000)
  t.equal(merged.successRate, one.successRate)
  t.equal(merged.rps, one.rps)
  // Not an average: the p99 of the whole is neither part's p99 nor their mean.
  const p99s = [toResult('a', outcome(pa, 1, 0)).latency.p99, toResult('b', outcome(pb, 1, 0)).latency.p99]
  t.not(merged.latency.p99, (p99s[0] + p99s[1]) / 2)
  t.same(merged.connections.users, 500, 'users summed')
  t.same(merged.connections.window?.reconnects, 4)
  t.equal(merged.unfinished, 2)
  t.same(merged.loadGenerator, { cpuPercent: 80, eventLoopDelayP99Ms: 8, processes: 2 }, 'the busiest process, and how many')
})

t.test('a histogram survives its encoding exactly, min and max included', async t => {
  const h = createHistogram()
  for (const ms of [0.4, 3.3, 17.9, 250.01, 9876.5]) recordMs(h, ms)
  const d = decodeHistogram(JSON.parse(JSON.stringify(encodeHistogram(h))))
  t.equal(d.totalCount, 5)
  t.equal(d.maxValue, h.maxValue)
  t.equal(d.minNonZeroValue, h.minNonZeroValue)
  for (const p of [50, 90, 99, 100]) t.equal(d.getValueAtPercentile(p), h.getValueAtPercentile(p), `p${p}`)
  t.equal(decodeHistogram(encodeHistogram(createHistogram())).totalCount, 0, 'an empty one stays empty')
})

t.test('one part is returned as it is', async t => {
  const o = outcome(new Recorder(FROM, true), 3, 1)
  t.equal(mergeOutcomes([o]), o)
})
