// These case files of test/db run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'admin-routes': async () => await import('./admin-routes.case.js'),
  'cli': async () => await import('./cli.case.js'),
  'maintenance': async () => await import('./maintenance.case.js'),
  'privileges': async () => await import('./privileges.case.js'),
  'sources': async () => await import('./sources.case.js')
})
