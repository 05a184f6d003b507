// The validators generated ahead of time (src/config/generated/) must behave as the schema compiled at run time:
// the same problems in the same order, the same defaults and unit conversions written into the data.
import type { Test } from 'tap'
import t from '../helpers/cases.js'
import * as configModule from '../../src/config/generated/config-validator.js'
import * as scenarioModule from '../../src/config/generated/scenario-validator.js'
import { compileConfigValidator, configValidator, schemaHash, type ConfigValidator } from '../../src/config/validate.js'
import { ScenarioSchema } from '../../src/loadtest/scenario.js'
import { ConfigSchema } from '../../src/sidecar-config.js'

type Sample = Record<string, unknown>

const CONFIGS: Sample[] = [
  {},
  { server: { port: 70000, prot: 1, maxHeaderSize: '1 lot', trustProxy: ['10.0.0.0/8', 'not-an-address', 7] } },
  { upstream: { connections: 'ten', responseTimeout: '1.5s', connectTimeout: 5 }, proxy: { maxRequestBody: '2MB' } },
  { cache: { enabled: true, rules: [{ pathRegex: 12, ttl: '5 parsecs' }, { pathPrefix: '/x', ttl: '10m' }] } },
  { rateLimit: { ip: { max: -1, window: '0s' } }, nonsense: 1 },
  { jobs: { enabled: 'yes', types: [{ name: 3 }] }, log: { level: 'loud' } },
  { admin: [] },
  'not a mapping' as unknown as Sample
]

const SCENARIOS: Sample[] = [
  {},
  { requests: [{ path: '/a' }, { path: 'b', method: 'FETCH', weight: -1 }] },
  { login: { share: 2, path: '/login' }, requests: [{ path: '/', expect: [200, 700] }], extra: true }
]

function compare (t: Test, generated: ConfigValidator, compiled: ConfigValidator, samples: Sample[]): void {
  for (const [i, sample] of samples.entries()) {
    const a = structuredClone(sample)
    const b = structuredClone(sample)
    t.same(generated(a), compiled(b), `sample ${i}: the same problems`)
    t.same(a, b, `sample ${i}: the same data after defaults and units`)
  }
}

t.test('the generated config validator is the one in use and matches a runtime compile', async t => {
  t.equal(configModule.schemaHash, schemaHash(ConfigSchema))
  compare(t, configValidator(ConfigSchema, configModule), compileConfigValidator(ConfigSchema), CONFIGS)
})

t.test('the generated scenario validator is the one in use and matches a runtime compile', async t => {
  t.equal(scenarioModule.schemaHash, schemaHash(ScenarioSchema))
  compare(t, configValidator(ScenarioSchema, scenarioModule), compileConfigValidator(ScenarioSchema), SCENARIOS)
})

t.test('a validator generated from another schema is not used for this one', async t => {
  const validate = configValidator(ScenarioSchema, configModule)
  t.same(validate({ requests: [{ path: '/' }] }), [], 'validated against ScenarioSchema, not ConfigSchema')
})
