// These case files of test/jobs run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why). They share test/jobs/fixtures/control.mjs: the two that set its state go last.
import { runCases } from '../helpers/cases.js'

runCases({
  'cron': async () => await import('./cron.case.js'),
  'shutdown': async () => await import('./shutdown.case.js'),
  'retry-backoff': async () => await import('./retry-backoff.case.js'),
  'priority-and-delay': async () => await import('./priority-and-delay.case.js'),
  'dead-letter': async () => await import('./dead-letter.case.js')
})
