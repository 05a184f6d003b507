// These case files of test/config run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'address-lists': async () => await import('./address-lists.case.js'),
  'config-errors': async () => await import('./config-errors.case.js'),
  'generated-files': async () => await import('./generated-files.case.js'),
  'generated-validator': async () => await import('./generated-validator.case.js')
})
