// A bad server.tls stops check-config and start with exit 2 and a line naming the file (the built CLI, as a user runs it).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import t from '../helpers/cases.js'
import { packageRoot } from '../../src/paths.js'
import { loadTlsMaterial } from '../../src/core/tls/material.js'
import { loadConfig } from '../../src/sidecar-config.js'
import { makeCert, opensslMissing, tmpDir } from './certs.js'
import { CHILD_TIMEOUT_MS } from '../helpers/child.js'

const skip = opensslMissing()
const dir = skip === false ? tmpDir() : ''
t.teardown(() => { if (dir !== '') fs.rmSync(dir, { recursive: true, force: true }) })

// Built to dist/ by npm test's pretest, like the other CLI tests: running src/ through ts-node costs seconds a run.
const CLI = path.join(packageRoot, 'dist', 'src', 'cli', 'index.js')

function cli (args: string[]): { status: number | null, stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', env: { PATH: process.env.PATH, SIDECAR_LOG_LEVEL: 'silent' }, timeout: CHILD_TIMEOUT_MS
  })
  return { status: r.status, stderr: r.stderr }
}

function tlsConfig (name: string, tls: Record<string, unknown>): string {
  const file = path.join(dir, `${name}.yaml`)
  fs.writeFileSync(file, JSON.stringify({ server: { port: 0, tls }, redis: { enabled: false } }))
  return file
}

t.test('each bad certificate is named, with why', { skip }, async t => {
  const good = makeCert(dir, 'good', ['localhost'])
  const other = makeCert(dir, 'other', ['localhost'])
  const expired = makeCert(dir, 'expired', ['localhost'], 1)
  const base = loadConfig({ env: {}, overrides: {} }).config.server.tls
  const missing = path.join(dir, 'nope.crt')
  t.throws(() => loadTlsMaterial({ ...base, cert: missing, key: good.key }),
    { code: 'SIPUP_ERR_TLS_CONFIG', message: `server.tls.cert: '${missing}': cannot read (ENOENT)` })
  t.throws(() => loadTlsMaterial({ ...base, cert: good.cert, key: other.key }),
    { code: 'SIPUP_ERR_TLS_CONFIG', message: new RegExp(`server\\.tls\\.key: '${other.key}': does not match the certificate`) })
  t.throws(() => loadTlsMaterial({ ...base, cert: good.key, key: good.key }),
    { code: 'SIPUP_ERR_TLS_CONFIG', message: /server\.tls\.cert: .*not a PEM certificate/ })
  t.throws(() => loadTlsMaterial({ ...base, cert: expired.cert, key: expired.key }, Date.now() + 2 * 86_400_000),
    { code: 'SIPUP_ERR_TLS_CONFIG', message: /server\.tls\.cert: .*expired on/ })
  t.throws(() => loadTlsMaterial({ ...base, certificates: [{ cert: good.cert, key: good.key, serverNames: [] }, { cert: missing, key: good.key, serverNames: [] }] }),
    { message: /server\.tls\.certificates\[1\]\.cert: .*nope\.crt/ })
})

t.test('check-config and start exit 2 naming the file', { skip }, async t => {
  const good = makeCert(dir, 'cli-good', ['localhost'])
  const missing = path.join(dir, 'missing.key')
  const file = tlsConfig('bad', { cert: good.cert, key: missing })
  for (const cmd of ['check-config', 'start']) {
    const r = cli([cmd, '-c', file])
    t.equal(r.status, 2, `${cmd} exits 2`)
    t.match(r.stderr, `server.tls.key: '${missing}': cannot read (ENOENT)`, `${cmd} names the file`)
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace')
  }
})
