// These case files of test/jobs run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'batch': async () => await import('./batch.case.js'),
  'bee-queue-format': async () => await import('./bee-queue-format.case.js'),
  'endpoint': async () => await import('./endpoint.case.js'),
  'handlers': async () => await import('./handlers.case.js'),
  'priority-gate': async () => await import('./priority-gate.case.js'),
  'redis-down': async () => await import('./redis-down.case.js'),
  'redis-override': async () => await import('./redis-override.case.js')
})
