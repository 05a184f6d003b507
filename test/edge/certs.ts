// Certificates made by the test with the openssl CLI in a temp dir (skipped with the reason when openssl is missing
// and CI is unset; a failure under CI=true).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export function opensslMissing (): string | false {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' })
    return false
  } catch {
    if (process.env.CI === 'true') throw new Error('openssl is required by the TLS tests (CI=true)')
    return 'openssl CLI not found: TLS tests skipped'
  }
}

export function tmpDir (prefix = 'sipup-tls-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

/** A self-signed certificate for `names` (first = CN), valid `days` days: returns the cert and key file paths. */
export function makeCert (dir: string, base: string, names: string[], days = 30): { cert: string, key: string } {
  const cert = path.join(dir, `${base}.crt`)
  const key = path.join(dir, `${base}.key`)
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', String(days), '-subj', `/CN=${names[0]}`,
    '-addext', `subjectAltName=${names.map(n => `DNS:${n}`).join(',')}`], { stdio: 'ignore' })
  return { cert, key }
}
