// These case files of test/rate-limit run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'cookie-patterns': async () => await import('./cookie-patterns.case.js'),
  'endpoint-rules': async () => await import('./endpoint-rules.case.js'),
  'headers': async () => await import('./headers.case.js'),
  'ip-tier': async () => await import('./ip-tier.case.js'),
  'path-variants': async () => await import('./path-variants.case.js'),
  'spoofed-forwarded-for': async () => await import('./spoofed-forwarded-for.case.js'),
  'client-address': async () => await import('./client-address.case.js'),
  'user-identity': async () => await import('./user-identity.case.js'),
  'user-identity-jwt': async () => await import('./user-identity-jwt.case.js')
})
