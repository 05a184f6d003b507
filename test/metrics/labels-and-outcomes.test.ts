// These case files of test/metrics run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'labels': async () => await import('./labels.case.js'),
  'label-cardinality': async () => await import('./label-cardinality.case.js'),
  'outcome-labels': async () => await import('./outcome-labels.case.js'),
  'plugin-outcomes': async () => await import('./plugin-outcomes.case.js'),
  'requests-counted': async () => await import('./requests-counted.case.js'),
  'route-stats': async () => await import('./route-stats.case.js'),
  'queue-depth': async () => await import('./queue-depth.case.js')
})
