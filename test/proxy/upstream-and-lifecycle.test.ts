// These case files of test/proxy run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'upstream-errors': async () => await import('./upstream-errors.case.js'),
  'idle-connections': async () => await import('./idle-connections.case.js'),
  'graceful-shutdown': async () => await import('./graceful-shutdown.case.js'),
  'router-bypass': async () => await import('./router-bypass.case.js'),
  'demo-start': async () => await import('./demo-start.case.js')
})
