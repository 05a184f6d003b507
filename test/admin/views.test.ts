// These case files of test/admin run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'health-view': async () => await import('./health-view.case.js'),
  'live-stream': async () => await import('./live-stream.case.js'),
  'panels': async () => await import('./panels.case.js'),
  'recommendations': async () => await import('./recommendations.case.js')
})
