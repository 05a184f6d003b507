// These case files of test/edge run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'dashboard-certificates': async () => await import('./dashboard-certificates.case.js'),
  'h2-fallback-nodelay': async () => await import('./h2-fallback-nodelay.case.js'),
  'h2-rapid-reset': async () => await import('./h2-rapid-reset.case.js'),
  'https-http2': async () => await import('./https-http2.case.js'),
  'jobs-http2': async () => await import('./jobs-http2.case.js'),
  'redirect-http': async () => await import('./redirect-http.case.js'),
  'tls-reload': async () => await import('./tls-reload.case.js'),
  'tls-config-errors': async () => await import('./tls-config-errors.case.js'),
  'h2-cache-hit': async () => await import('./h2-cache-hit.case.js'),
  'h2-fallback-limits': async () => await import('./h2-fallback-limits.case.js')
})
