// These case files of test/metrics run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'log-histogram': async () => await import('./log-histogram.case.js'),
  'time-series': async () => await import('./time-series.case.js'),
  'node-merge': async () => await import('./node-merge.case.js'),
  'grafana-dashboard': async () => await import('./grafana-dashboard.case.js')
})
