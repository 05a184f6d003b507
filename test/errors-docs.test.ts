// Every code in src/errors.ts has a row in docs/errors.md, the docs list no code that doesn't exist, and no code
// is used anywhere in src/ (a string a client could receive) without being defined in src/errors.ts.
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
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

function sourceFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(d => d.isDirectory()
    ? sourceFiles(join(dir, d.name))
    : /\.(ts|js)$/.test(d.name) ? [join(dir, d.name)] : [])
}

t.test('every SIPUP_ERR_ code used in src/ is defined in src/errors.ts (and so documented)', async t => {
  const src = join(packageRoot, 'src')
  const used = new Map<string, string>()
  for (const file of sourceFiles(src)) {
    if (file.endsWith('errors.ts')) continue
    for (const m of readFileSync(file, 'utf8').matchAll(/SIPUP_ERR_[A-Z0-9_]*[A-Z0-9]/g)) used.set(m[0], file.slice(src.length + 1))
  }
  t.ok(used.size > 10, `found ${used.size} codes in use`)
  for (const [code, file] of used) t.ok(codes.includes(code), `${code} (used in src/${file}) is defined in src/errors.ts`)
})
