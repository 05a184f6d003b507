// The certificates of server.tls, read and checked once (start-up, SIGHUP): every file readable, PEM, not expired
// and matching its key, or a coded error naming the file. A reload that fails keeps the contexts already in use.
import fs from 'node:fs'
import crypto from 'node:crypto'
import tls from 'node:tls'
import type { CoreConfig } from '../../config/core-schema.js'
import { SIPUP_ERR_TLS_CONFIG } from '../../errors.js'

export type TlsConfig = CoreConfig['server']['tls']

export interface LoadedCertificate {
  /** The config key that named it: `cert` or `certificates[2].cert`. */
  readonly key: string
  readonly file: string
  readonly subject: string
  readonly names: readonly string[]
  /** ms since the epoch. */
  readonly notAfter: number
  readonly context: tls.SecureContext
}

export interface TlsMaterial {
  /** The default certificate's options (Node's server options take them as they are). */
  readonly defaultOptions: { cert: Buffer, key: Buffer }
  readonly certificates: readonly LoadedCertificate[]
}

/** True when server.tls names any certificate (TLS is then on). */
export function tlsEnabled (t: TlsConfig): boolean {
  return t.cert !== '' || t.certificates.length > 0
}

function readPem (configKey: string, file: string): Buffer {
  try {
    return fs.readFileSync(file)
  } catch (err) {
    throw new SIPUP_ERR_TLS_CONFIG(configKey, file, `cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err })
  }
}

function namesOf (x509: crypto.X509Certificate): string[] {
  const names: string[] = []
  for (const part of (x509.subjectAltName ?? '').split(',')) {
    const t = part.trim()
    if (t.startsWith('DNS:')) names.push(t.slice(4).toLowerCase())
  }
  if (names.length === 0) {
    const cn = /CN=([^\n,]+)/.exec(x509.subject)
    if (cn !== null) names.push(cn[1].trim().toLowerCase())
  }
  return names
}

function loadOne (t: TlsConfig, prefix: string, certFile: string, keyFile: string, serverNames: readonly string[], now: number): LoadedCertificate & { cert: Buffer, keyPem: Buffer } {
  const cert = readPem(`${prefix}cert`, certFile)
  const keyPem = readPem(`${prefix}key`, keyFile)
  let x509: crypto.X509Certificate
  try {
    x509 = new crypto.X509Certificate(cert)
  } catch (err) {
    throw new SIPUP_ERR_TLS_CONFIG(`${prefix}cert`, certFile, 'not a PEM certificate', { cause: err })
  }
  let key: crypto.KeyObject
  try {
    key = crypto.createPrivateKey(keyPem)
  } catch (err) {
    throw new SIPUP_ERR_TLS_CONFIG(`${prefix}key`, keyFile, 'not a PEM private key (or it is encrypted)', { cause: err })
  }
  if (!x509.checkPrivateKey(key)) throw new SIPUP_ERR_TLS_CONFIG(`${prefix}key`, keyFile, `does not match the certificate in '${certFile}'`)
  const notAfter = Date.parse(x509.validTo)
  if (notAfter <= now) throw new SIPUP_ERR_TLS_CONFIG(`${prefix}cert`, certFile, `expired on ${new Date(notAfter).toISOString()}`)
  let context: tls.SecureContext
  try {
    context = tls.createSecureContext({ cert, key: keyPem, minVersion: t.minVersion, ciphers: t.ciphers })
  } catch (err) {
    throw new SIPUP_ERR_TLS_CONFIG(`${prefix}cert`, certFile, (err as Error).message, { cause: err })
  }
  const names = serverNames.length > 0 ? serverNames.map(n => n.toLowerCase()) : namesOf(x509)
  return { key: `${prefix}cert`, file: certFile, subject: x509.subject.replace(/\n/g, ', '), names, notAfter, context, cert, keyPem }
}

/** Reads and checks every certificate of server.tls; throws SIPUP_ERR_TLS_CONFIG naming the first bad file. */
export function loadTlsMaterial (t: TlsConfig, now = Date.now()): TlsMaterial {
  const loaded: Array<ReturnType<typeof loadOne>> = []
  if (t.cert !== '' || t.key !== '') {
    if (t.cert === '' || t.key === '') throw new SIPUP_ERR_TLS_CONFIG(t.cert === '' ? 'cert' : 'key', '', 'set both cert and key')
    loaded.push(loadOne(t, '', t.cert, t.key, [], now))
  }
  t.certificates.forEach((c, i) => { loaded.push(loadOne(t, `certificates[${i}].`, c.cert, c.key, c.serverNames, now)) })
  if (loaded.length === 0) throw new SIPUP_ERR_TLS_CONFIG('cert', '', 'no certificate configured')
  return {
    defaultOptions: { cert: loaded[0].cert, key: loaded[0].keyPem },
    certificates: loaded.map(({ cert: _c, keyPem: _k, ...rest }) => rest)
  }
}

/** The certificate for an SNI name: an exact name first, then a wildcard one label up, else null (the default). */
export function pickCertificate (certs: readonly LoadedCertificate[], servername: string): LoadedCertificate | null {
  const name = servername.toLowerCase()
  const dot = name.indexOf('.')
  const wildcard = dot > 0 ? `*${name.slice(dot)}` : null
  let wild: LoadedCertificate | null = null
  for (const c of certs) {
    if (c.names.includes(name)) return c
    if (wild === null && wildcard !== null && c.names.includes(wildcard)) wild = c
  }
  return wild
}
