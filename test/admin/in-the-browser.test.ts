// These case files of test/admin run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'bans-panel-browser': async () => await import('./bans-panel-browser.case.js'),
  'dashboard-browser': async () => await import('./dashboard-browser.case.js')
})
