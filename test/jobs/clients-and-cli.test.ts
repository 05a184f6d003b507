// These case files of test/jobs run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'php-client': async () => await import('./php-client.case.js'),
  'secrets-and-cli': async () => await import('./secrets-and-cli.case.js')
})
