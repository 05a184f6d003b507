// These case files of test/cache run in one test process, each as a subtest named after its file
// (test/helpers/cases.ts says why).
import { runCases } from '../helpers/cases.js'

runCases({
  'purge': async () => await import('./purge.case.js'),
  'purge-regex': async () => await import('./purge-regex.case.js'),
  'purge-across-instances': async () => await import('./purge-across-instances.case.js'),
  'purge-reaches-peers': async () => await import('./purge-reaches-peers.case.js'),
  'purge-remote-coalescer': async () => await import('./purge-remote-coalescer.case.js'),
  'invalidation': async () => await import('./invalidation.case.js'),
  'invalidation-rules': async () => await import('./invalidation-rules.case.js'),
  'invalidation-stores': async () => await import('./invalidation-stores.case.js'),
  'demo-invalidation': async () => await import('./demo-invalidation.case.js'),
  'cache-cli': async () => await import('./cache-cli.case.js')
})
