// These case files of test/loadtest run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'load-profile': async () => await import('./load-profile.case.js'),
  'open-model-stall': async () => await import('./open-model-stall.case.js'),
  'virtual-users': async () => await import('./virtual-users.case.js'),
  'window-connections': async () => await import('./window-connections.case.js'),
  'percentiles': async () => await import('./percentiles.case.js'),
  'merge-parts': async () => await import('./merge-parts.case.js'),
  'split-load': async () => await import('./split-load.case.js')
})
