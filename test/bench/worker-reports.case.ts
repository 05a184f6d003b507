// bench/capacity with --workers > 1: the primary turns its workers' reports into the node's lines, which the bench
// parses as it parses a single process's: counters and connections summed, open files the fullest worker's.
import t from '../helpers/cases.js'
import { nodeLines } from '../../bench/lib/worker-reports.js'
import { CONN_LINE } from '../../bench/lib/window-connections.js'

t.test('two workers: counters and connections summed, open files the fullest one\'s with the worker count', async t => {
  const lines = nodeLines([
    { stats: { 'sipup_origin_inflight{}': 6, 'sipup_origin_shed_total{reason=queue-full,lane=low}': 10 }, conn: { accepted: 100, open: 90, files: 9_800, limit: '20000' } },
    { stats: { 'sipup_origin_inflight{}': 4, 'sipup_cache_lookups_total{outcome=HIT}': 7 }, conn: { accepted: 120, open: 95, files: 10_050, limit: '20000' } }
  ])
  t.equal(lines.length, 2)
  t.same(JSON.parse(lines[0].slice('stats '.length)), {
    'sipup_origin_inflight{}': 10,
    'sipup_origin_shed_total{reason=queue-full,lane=low}': 10,
    'sipup_cache_lookups_total{outcome=HIT}': 7
  })
  t.equal(lines[1], 'conn 220 185 10050 20000 2')
  const m = CONN_LINE.exec(lines[1])
  t.same(m?.slice(1), ['220', '185', '10050', '20000', '2'], 'the bench parses it, worker count included')
  t.same(CONN_LINE.exec('conn 5 4 300 20000')?.slice(1), ['5', '4', '300', '20000', undefined], 'a single process\'s line as before')
})

t.test('no reports yet: no lines; without open-file counts: the short conn line', async t => {
  t.same(nodeLines([]), [])
  t.same(nodeLines([{ stats: null, conn: { accepted: 3, open: 2, files: -1, limit: '' } }]), ['conn 3 2'])
})
