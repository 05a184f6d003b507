// These case files of test/bench run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'args': async () => await import('./args.case.js'),
  'backlog-gate': async () => await import('./backlog-gate.case.js'),
  'listen-queue': async () => await import('./listen-queue.case.js'),
  'proxy-floors': async () => await import('./proxy-floors.case.js'),
  'stall-diag': async () => await import('./stall-diag.case.js'),
  'worker-reports': async () => await import('./worker-reports.case.js'),
  'wrk-output': async () => await import('./wrk-output.case.js')
})
