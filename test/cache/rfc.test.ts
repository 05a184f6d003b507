// These case files of test/cache run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'rfc-age': async () => await import('./rfc-age.case.js'),
  'rfc-connection-headers': async () => await import('./rfc-connection-headers.case.js'),
  'rfc-freshness': async () => await import('./rfc-freshness.case.js'),
  'rfc-parsers': async () => await import('./rfc-parsers.case.js'),
  'rfc-range': async () => await import('./rfc-range.case.js'),
  'rfc-request-directives': async () => await import('./rfc-request-directives.case.js'),
  'rfc-stale-on-error': async () => await import('./rfc-stale-on-error.case.js'),
  'rfc-status-codes': async () => await import('./rfc-status-codes.case.js'),
  'rfc-targeted-cache-control': async () => await import('./rfc-targeted-cache-control.case.js'),
  'repeated-headers': async () => await import('./repeated-headers.case.js'),
  'serialized-head': async () => await import('./serialized-head.case.js')
})
