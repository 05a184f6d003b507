// These case files of test/loadtest run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'bench-options': async () => await import('./bench-options.case.js'),
  'cache-outcome': async () => await import('./cache-outcome.case.js'),
  'compare': async () => await import('./compare.case.js'),
  'html-report': async () => await import('./html-report.case.js'),
  'scenario-validation': async () => await import('./scenario-validation.case.js'),
  'threshold-exit-code': async () => await import('./threshold-exit-code.case.js')
})
