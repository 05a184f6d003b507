// bench/capacity's stall diagnostic is off unless SIPUP_BENCH_DIAG names a file prefix; then each process writes
// lines led by Date.now() to <prefix>.<role>.<pid>, so the bench's, the workers' and the shop's files line up.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from '../helpers/cases.js'
import { diagSink } from '../../bench/lib/stall-diag.js'

t.test('without SIPUP_BENCH_DIAG: no sink', async t => {
  const before = process.env.SIPUP_BENCH_DIAG
  delete process.env.SIPUP_BENCH_DIAG
  t.teardown(() => { if (before !== undefined) process.env.SIPUP_BENCH_DIAG = before })
  t.equal(diagSink('worker'), null)
  process.env.SIPUP_BENCH_DIAG = ''
  t.equal(diagSink('worker'), null, 'empty is off too')
})

t.test('with a prefix: lines led by the wall clock, in <prefix>.<role>.<pid>', async t => {
  const dir = mkdtempSync(join(tmpdir(), 'sipup-diag-'))
  const before = process.env.SIPUP_BENCH_DIAG
  process.env.SIPUP_BENCH_DIAG = join(dir, 'd')
  t.teardown(() => {
    if (before === undefined) delete process.env.SIPUP_BENCH_DIAG
    else process.env.SIPUP_BENCH_DIAG = before
    rmSync(dir, { recursive: true, force: true })
  })
  const sink = diagSink('worker')
  t.not(sink, null)
  const from = Date.now()
  sink?.('stall gap=200')
  const [line] = readFileSync(join(dir, `d.worker.${process.pid}`), 'utf8').trim().split('\n')
  const [at, ...rest] = line.split(' ')
  t.ok(Number(at) >= from && Number(at) <= Date.now(), 'Date.now() first')
  t.equal(rest.join(' '), 'stall gap=200')
})
