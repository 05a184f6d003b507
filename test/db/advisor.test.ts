// These case files of test/db run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'advisor': async () => await import('./advisor.case.js'),
  'apply-undo': async () => await import('./apply-undo.case.js'),
  'index-design': async () => await import('./index-design.case.js'),
  'normalize': async () => await import('./normalize.case.js'),
  'slow-log-parser': async () => await import('./slow-log-parser.case.js')
})
