// These case files of test/proxy run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'compression': async () => await import('./compression.case.js'),
  'compression-cache': async () => await import('./compression-cache.case.js'),
  'compression-levels': async () => await import('./compression-levels.case.js'),
  'compression-memo': async () => await import('./compression-memo.case.js')
})
