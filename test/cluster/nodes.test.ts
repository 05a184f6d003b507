// These case files of test/cluster run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'node-dashboard': async () => await import('./node-dashboard.case.js'),
  'per-worker-warnings': async () => await import('./per-worker-warnings.case.js'),
  'redirect-workers': async () => await import('./redirect-workers.case.js'),
  'origin-limit-workers': async () => await import('./origin-limit-workers.case.js')
})
