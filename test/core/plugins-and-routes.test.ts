// These case files of test/core run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'plugin-contract': async () => await import('./plugin-contract.case.js'),
  'example-plugin': async () => await import('./example-plugin.case.js'),
  'route-groups': async () => await import('./route-groups.case.js'),
  'cookies': async () => await import('./cookies.case.js'),
  'response-headers': async () => await import('./response-headers.case.js'),
  'access-log-query': async () => await import('./access-log-query.case.js')
})
