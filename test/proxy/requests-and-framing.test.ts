// These case files of test/proxy run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'request-buffering': async () => await import('./request-buffering.case.js'),
  'request-target': async () => await import('./request-target.case.js'),
  'methods-and-headers': async () => await import('./methods-and-headers.case.js'),
  'content-length-forwarding': async () => await import('./content-length-forwarding.case.js'),
  'chunked-413-closes': async () => await import('./chunked-413-closes.case.js'),
  'client-limits': async () => await import('./client-limits.case.js'),
  'client-abort': async () => await import('./client-abort.case.js'),
  'client-ip-and-forwarded': async () => await import('./client-ip-and-forwarded.case.js'),
  'streaming-bodies': async () => await import('./streaming-bodies.case.js')
})
