// These case files of test/rate-limit run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'bans': async () => await import('./bans.case.js'),
  'ban-admin': async () => await import('./ban-admin.case.js'),
  'limiter-ban-recheck': async () => await import('./limiter-ban-recheck.case.js'),
  'limits-cli': async () => await import('./limits-cli.case.js'),
  'allow-deny-lists': async () => await import('./allow-deny-lists.case.js'),
  'dry-run': async () => await import('./dry-run.case.js')
})
