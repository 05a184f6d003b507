// Every code in src/errors.ts has a row in docs/errors.md, and the docs list no code that doesn't exist.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as errors from '../src/errors.js'
import { packageRoot } from '../src/paths.js'

const codes = Object.keys(errors).filter(k => k.startsWith('SIPUP_ERR_')).sort()
const docs = readFileSync(join(packageRoot, 'docs', 'errors.md'), 'utf8')
const documented = [...docs.matchAll(/^\| `(SIPUP_ERR_[A-Z0-9_]+)` \|/gm)].map(m => m[1]).sort()

t.test('each error code is documented', async t => {
  for (const code of codes) t.ok(documented.includes(code), `${code} has a row in docs/errors.md`)
})

t.test('docs/errors.md documents no unknown code', async t => {
  for (const code of documented) t.ok(codes.includes(code), `${code} exists in src/errors.ts`)
})

t.test('each constructor produces an error with its own code', async t => {
  for (const code of codes) {
    const Ctor = (errors as Record<string, unknown>)[code] as new (...args: unknown[]) => Error & { code: string }
    t.equal(new Ctor('a', 'b', 'c').code, code)
  }
})
