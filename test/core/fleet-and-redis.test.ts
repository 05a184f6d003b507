// These case files of test/core run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'fleet-lock': async () => await import('./fleet-lock.case.js'),
  'fleet-view': async () => await import('./fleet-view.case.js'),
  'redis-timeout': async () => await import('./redis-timeout.case.js'),
  'redis-unreachable-sentinel': async () => await import('./redis-unreachable-sentinel.case.js')
})
