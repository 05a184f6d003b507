// These case files of test/cli run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'doctor-fd-limit': async () => await import('./doctor-fd-limit.case.js'),
  'plugin-commands': async () => await import('./plugin-commands.case.js')
})
