// These case files of test/admin run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'admin-auth': async () => await import('./admin-auth.case.js'),
  'csrf': async () => await import('./csrf.case.js'),
  'csrf-token': async () => await import('./csrf-token.case.js'),
  'csrf-across-instances': async () => await import('./csrf-across-instances.case.js'),
  'dashboard-auth': async () => await import('./dashboard-auth.case.js'),
  'security-headers': async () => await import('./security-headers.case.js'),
  'secrets-not-exposed': async () => await import('./secrets-not-exposed.case.js'),
  'redact': async () => await import('./redact.case.js')
})
