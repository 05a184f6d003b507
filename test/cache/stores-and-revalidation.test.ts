// These case files of test/cache run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'memory-store': async () => await import('./memory-store.case.js'),
  'redis-store': async () => await import('./redis-store.case.js'),
  'redis-outage': async () => await import('./redis-outage.case.js'),
  'tiered-store': async () => await import('./tiered-store.case.js'),
  'coalescing': async () => await import('./coalescing.case.js'),
  'coalescing-stores': async () => await import('./coalescing-stores.case.js'),
  'stale': async () => await import('./stale.case.js'),
  'revalidation': async () => await import('./revalidation.case.js'),
  'compression': async () => await import('./compression.case.js'),
  'compressed-etag': async () => await import('./compressed-etag.case.js')
})
