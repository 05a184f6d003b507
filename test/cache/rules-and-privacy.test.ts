// These case files of test/cache run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'cache-key': async () => await import('./cache-key.case.js'),
  'context-scope': async () => await import('./context-scope.case.js'),
  'forwarded-host': async () => await import('./forwarded-host.case.js'),
  'origin-paths': async () => await import('./origin-paths.case.js'),
  'query-and-statuses': async () => await import('./query-and-statuses.case.js'),
  'rules': async () => await import('./rules.case.js'),
  'route-memo': async () => await import('./route-memo.case.js'),
  'rule-options': async () => await import('./rule-options.case.js'),
  'policy': async () => await import('./policy.case.js'),
  'safety': async () => await import('./safety.case.js'),
  'cookie-conditions': async () => await import('./cookie-conditions.case.js'),
  'session-cookie': async () => await import('./session-cookie.case.js'),
  'logged-in': async () => await import('./logged-in.case.js'),
  'per-user-session-resend': async () => await import('./per-user-session-resend.case.js'),
  'demo-privacy': async () => await import('./demo-privacy.case.js')
})
