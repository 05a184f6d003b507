// Scenario files (`--scenario file.yaml`): weighted requests and virtual users that log in and keep their cookies.
// Validated once with TypeBox + Ajv; every problem is reported at once with the key path that holds it.
import { readFileSync } from 'node:fs'
import { Type, type Static } from '@sinclair/typebox'
import { parseDocument } from 'yaml'
import { SIPUP_ERR_BENCH_SCENARIO_FILE, SIPUP_ERR_BENCH_SCENARIO_INVALID } from '../errors.js'
import * as generatedValidator from '../config/generated/scenario-validator.js'
import { configValidator, type ConfigProblem, type ConfigValidator } from '../config/validate.js'
import { compileTemplate } from './template.js'

const Headers = (description: string, def: Record<string, string> = {}) =>
  Type.Record(Type.String(), Type.String(), { description, default: def })
const Method = Type.Union(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map(m => Type.Literal(m)),
  { description: 'HTTP method.', default: 'GET' })
const Expect = Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), {
  description: 'Status codes that count as success; empty means any 1xx, 2xx or 3xx.', default: []
})

export const ScenarioRequestSchema = Type.Object({
  name: Type.String({ description: 'Label in the report (default: method and path).', default: '' }),
  weight: Type.Number({ description: 'Relative share of this request among those the user may send.', minimum: 0, default: 1 }),
  method: Method,
  path: Type.String({ description: 'Path and query; may use {{user}} and {{rand MIN MAX}}.', pattern: '^/' }),
  headers: Headers('Extra request headers (over the scenario-wide headers).'),
  body: Type.String({ description: 'Request body; may use {{user}} and {{rand MIN MAX}}.', default: '' }),
  who: Type.Union([Type.Literal('any'), Type.Literal('anonymous'), Type.Literal('loggedIn')], {
    description: 'Which virtual users send it: everyone, only those not logged in, or only those logged in.', default: 'any'
  }),
  expect: Expect
}, { additionalProperties: false })

export const ScenarioLoginSchema = Type.Object({
  share: Type.Number({ description: 'Fraction of virtual users (0..1) that log in before their first request.', minimum: 0, maximum: 1, default: 0 }),
  method: Type.Union([Type.Literal('POST'), Type.Literal('GET'), Type.Literal('PUT')], { description: 'HTTP method of the login request.', default: 'POST' }),
  path: Type.String({ description: 'Login URL path.', pattern: '^/', default: '/login.php' }),
  headers: Headers('Headers of the login request.', { 'content-type': 'application/x-www-form-urlencoded' }),
  body: Type.String({ description: 'Login body; {{user}} is the virtual user number.', default: 'username=user{{user}}&password=secret' }),
  expect: Expect
}, { additionalProperties: false, description: 'Virtual users that log in first and keep their session cookie.', default: { share: 0 } })

export const ScenarioSchema = Type.Object({
  baseUrl: Type.String({ description: 'Origin the paths are relative to; --url overrides it.', default: '' }),
  headers: Headers('Headers sent with every request.'),
  cookies: Type.Boolean({ description: 'Each virtual user keeps the cookies it is sent, like a browser.', default: true }),
  login: ScenarioLoginSchema,
  requests: Type.Array(ScenarioRequestSchema, { description: 'The weighted request mix.', minItems: 1 })
}, { additionalProperties: false })

export type Scenario = Static<typeof ScenarioSchema>
export type ScenarioRequest = Static<typeof ScenarioRequestSchema>

let validator: ConfigValidator | undefined

/** Validates (applying defaults in place) and checks the placeholders; throws SIPUP_ERR_BENCH_SCENARIO_INVALID. */
export function validateScenario (data: unknown, source = 'scenario'): Scenario {
  // Generated from ScenarioSchema by `npm run gen:config` (src/config/standalone.ts).
  validator ??= configValidator(ScenarioSchema, generatedValidator)
  const problems = validator(data)
  if (problems.length === 0) problems.push(...templateProblems(data as Scenario))
  if (problems.length > 0) {
    throw new SIPUP_ERR_BENCH_SCENARIO_INVALID(problems.map(p => `${source}: ${p.path === '' ? '(top level)' : p.path}: ${p.message}`).join('\n'))
  }
  return data as Scenario
}

export function loadScenarioFile (file: string): Scenario {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new SIPUP_ERR_BENCH_SCENARIO_FILE(file, (err as Error).message, { cause: err })
  }
  const doc = parseDocument(text, { prettyErrors: true })
  if (doc.errors.length > 0) {
    const e = doc.errors[0]
    throw new SIPUP_ERR_BENCH_SCENARIO_FILE(file, `YAML syntax error at line ${e.linePos?.[0].line ?? '?'}: ${e.message.split('\n')[0]}`)
  }
  return validateScenario(doc.toJS() ?? {}, file)
}

function templateProblems (s: Scenario): ConfigProblem[] {
  const out: ConfigProblem[] = []
  const check = (path: string, text: string): void => {
    try {
      compileTemplate(text)
    } catch (err) {
      out.push({ path, message: (err as Error).message })
    }
  }
  s.requests.forEach((r, i) => {
    check(`requests[${i}].path`, r.path)
    check(`requests[${i}].body`, r.body)
    for (const [k, v] of Object.entries(r.headers)) check(`requests[${i}].headers.${k}`, v)
  })
  check('login.path', s.login.path)
  check('login.body', s.login.body)
  if (s.requests.every(r => r.weight === 0)) out.push({ path: 'requests', message: 'expected at least one request with weight > 0, got all 0' })
  return out
}
