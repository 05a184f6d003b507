// These case files of test/jobs run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'nothing-lost': async () => await import('./nothing-lost.case.js'),
  'once-across-instances': async () => await import('./once-across-instances.case.js'),
  'stall-limit': async () => await import('./stall-limit.case.js')
})
