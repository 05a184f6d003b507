// These case files of test/core run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'redis-cluster': async () => await import('./redis-cluster.case.js'),
  'redis-cluster-failover': async () => await import('./redis-cluster-failover.case.js'),
  'redis-sentinel': async () => await import('./redis-sentinel.case.js')
})
