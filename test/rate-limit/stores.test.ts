// These case files of test/rate-limit run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'memory-store': async () => await import('./memory-store.case.js'),
  'redis-store': async () => await import('./redis-store.case.js'),
  'redis-disabled': async () => await import('./redis-disabled.case.js'),
  'redis-outage': async () => await import('./redis-outage.case.js'),
  'redis-hung-and-fail-closed': async () => await import('./redis-hung-and-fail-closed.case.js'),
  'lease': async () => await import('./lease.case.js'),
  'bounded-map': async () => await import('./bounded-map.case.js'),
  'counter-table': async () => await import('./counter-table.case.js'),
  'hot-path-caches': async () => await import('./hot-path-caches.case.js'),
  'exact-across-instances': async () => await import('./exact-across-instances.case.js')
})
