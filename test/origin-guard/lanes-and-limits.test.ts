// These case files of test/origin-guard run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'adaptive-limit': async () => await import('./adaptive-limit.case.js'),
  'context-lane': async () => await import('./context-lane.case.js'),
  'demo-lanes': async () => await import('./demo-lanes.case.js'),
  'lane-queue': async () => await import('./lane-queue.case.js'),
  'lanes': async () => await import('./lanes.case.js'),
  'max-concurrent': async () => await import('./max-concurrent.case.js'),
  'metrics-and-dashboard': async () => await import('./metrics-and-dashboard.case.js'),
  'shed': async () => await import('./shed.case.js'),
  'wait-estimate': async () => await import('./wait-estimate.case.js'),
  'worker-share': async () => await import('./worker-share.case.js')
})
