// `doctor`: one line per check of what the sidecar depends on, so an operator sees at once what is missing.
import { readFileSync } from 'node:fs'
import { pino } from 'pino'
import { request } from 'undici'
import type { CoreConfig } from '../../config/core-schema.js'
import { createContainer, type SidecarContainer } from '../../core/container.js'
import { redactUrl } from '../../config/redact.js'
import { CONFIG_USAGE, loadConfigFromArgs } from '../config-args.js'
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Command } from '../../core/command.js'
import { parseVersion } from '../../plugins/db/db-client.js'
import { databaseOf } from '../../plugins/db/options.js'
import { hasPrivilege, parseGrants, wantedPrivileges } from '../../plugins/db/privileges.js'
import type { FrozenConfig } from '../../sidecar-config.js'
import { loadTlsMaterial, tlsEnabled } from '../../core/tls/material.js'
import { certificateExpiry, describeExpiry } from '../../core/tls/expiry.js'

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip'
export interface CheckLine { status: CheckStatus, name: string, detail: string }

const TIMEOUT_MS = 2000
/** Room for log files, Redis, MySQL and the listening socket on top of client and origin connections. */
const FD_HEADROOM = 256

/** One line per certificate of server.tls: fail when unusable, warn within server.tls.expiryWarning. */
export function checkTls (config: CoreConfig, now = Date.now()): CheckLine[] {
  const t = config.server.tls
  if (!tlsEnabled(t)) return [{ status: 'skip', name: 'tls', detail: 'server.tls has no certificate: plain HTTP (TLS terminated in front)' }]
  try {
    return certificateExpiry(loadTlsMaterial(t, now), t.expiryWarning, now).map(e => ({
      status: e.soon ? 'warn' : 'ok',
      name: 'tls',
      detail: `${describeExpiry(e)}${e.soon ? ': renew it (certbot renew)' : ''}`
    }))
  } catch (err) {
    return [{ status: 'fail', name: 'tls', detail: (err as Error).message }]
  }
}

export async function checkUpstream (config: CoreConfig): Promise<CheckLine> {
  const url = new URL(config.upstream.healthPath, config.upstream.url)
  const t0 = performance.now()
  try {
    const res = await request(url, { method: 'GET', headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS })
    await res.body.dump()
    const ms = Math.round(performance.now() - t0)
    return res.statusCode < 500
      ? { status: 'ok', name: 'upstream', detail: `${redactUrl(url.toString())} answered ${res.statusCode} in ${ms} ms` }
      : { status: 'fail', name: 'upstream', detail: `${redactUrl(url.toString())} answered ${res.statusCode}` }
  } catch (err) {
    const e = err as Error & { code?: string }
    return { status: 'fail', name: 'upstream', detail: `${redactUrl(url.toString())} unreachable: ${e.code ?? e.message}` }
  }
}

/** Through the container's own connection, as the sidecar will connect (same timeouts, same URL handling). */
export async function checkRedis (container: SidecarContainer): Promise<CheckLine> {
  const { config, redis } = container
  if (redis.client === null) return { status: 'skip', name: 'redis', detail: 'redis.enabled is false: caches and limits are per instance' }
  if (!redis.isReady()) {
    return { status: 'warn', name: 'redis', detail: `${redis.reason ?? 'unreachable'}: features fall back to per-instance memory` }
  }
  try {
    const info = await redis.client.info('server')
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?'
    return { status: 'ok', name: 'redis', detail: `${redactUrl(config.redis.url)} answered (Redis ${version})` }
  } catch (err) {
    const e = err as Error & { code?: string }
    return { status: 'warn', name: 'redis', detail: `${redactUrl(config.redis.url)} unreachable (${e.code ?? e.message}): features fall back to per-instance memory` }
  }
}

/** The privileges the DB advisor needs on this server (flavor), for the analysed schemas and its own schema:
 * exactly the list in src/plugins/db/privileges.ts, each with what it is for. */
export function missingPrivileges (config: FrozenConfig, version: string, grantLines: readonly string[]): { required: string[], optional: string[] } {
  const schemas = config.db.schemas.length > 0 ? [...config.db.schemas] : [databaseOf(config.mysql.url)].filter(s => s !== '')
  const grants = parseGrants(grantLines)
  const lacking = wantedPrivileges(parseVersion(version).flavor, schemas, config.db.auditSchema).filter(w => !hasPrivilege(grants, w.privilege, w.scope))
  const name = (w: typeof lacking[number]): string => `${w.privilege} ON ${w.scope} (${w.why})`
  return { required: lacking.filter(w => !w.optional).map(name), optional: lacking.filter(w => w.optional).map(name) }
}

/** Through the core's MySQL pool: reachability, version and the privileges the DB features need. */
export async function checkMysql (container: SidecarContainer, config: FrozenConfig): Promise<CheckLine> {
  const mysql = container.mysql
  const pool = mysql.pool
  if (pool === null) return { status: 'skip', name: 'mysql', detail: 'mysql.url is empty (set MYSQL_URL): DB features are off' }
  if (!mysql.isReady()) return { status: 'fail', name: 'mysql', detail: mysql.reason ?? 'unreachable' }
  try {
    const [rows] = await pool.query('SELECT VERSION() AS v')
    const version = (rows as { v: string }[])[0]?.v ?? '?'
    const [grants] = await pool.query('SHOW GRANTS')
    const missing = missingPrivileges(config, version, (grants as Record<string, string>[]).map(r => String(Object.values(r)[0])))
    const optional = missing.optional.length === 0 ? '' : `; optional, for some features: ${missing.optional.join(', ')}`
    return missing.required.length === 0
      ? { status: 'ok', name: 'mysql', detail: `${mysql.url} answered (${version}); DB advisor privileges ok${optional}` }
      : { status: 'warn', name: 'mysql', detail: `${mysql.url} answered (${version}); missing privileges for the DB advisor: ${missing.required.join(', ')}${optional}` }
  } catch (err) {
    const e = err as Error & { code?: string }
    return { status: 'fail', name: 'mysql', detail: `${mysql.url} refused: ${e.code ?? e.message}` }
  }
}

export function readFdLimit (limitsText: string): number | null {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(limitsText)
  if (m === null) return null
  return m[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[1])
}

/**
 * What the open-files limit means for capacity: each client connection, each origin connection and a reserve
 * (logs, Redis, MySQL, the listener) take a descriptor, so about `limit - upstream.connections - reserve` clients
 * fit at once; beyond that accept() gets EMFILE and further clients wait or are refused until some close. The
 * process keeps working, so a limit below the default `server.maxConnections` is a warning saying what it holds;
 * it fails only when a `server.maxConnections` the operator set (`explicit`) can't be held with the origin pool.
 */
export function checkFdLimit (config: CoreConfig, limitsText: string | null, explicit = true): CheckLine {
  const limit = limitsText === null ? null : readFdLimit(limitsText)
  if (limit === null) return { status: 'skip', name: 'fd-limit', detail: 'cannot read /proc/self/limits on this system' }
  const upstream = config.upstream.connections
  const max = config.server.maxConnections
  const needed = max + upstream + FD_HEADROOM
  const clients = Math.max(0, limit - upstream - FD_HEADROOM)
  const fits = `about ${clients} client connections at once (open files limit ${limit} - upstream.connections ${upstream} - ${FD_HEADROOM} reserve)`
  const raise = (n: number): string => `ulimit -n ${n}, or LimitNOFILE=${n} in the systemd unit`
  if (max === 0) {
    if (limit === Number.POSITIVE_INFINITY) return { status: 'ok', name: 'fd-limit', detail: 'open files limit unlimited; server.maxConnections 0 (no cap)' }
    return { status: 'warn', name: 'fd-limit', detail: `server.maxConnections is 0 (no cap), so the open files limit is the cap: ${fits}` }
  }
  if (limit >= needed) {
    return { status: 'ok', name: 'fd-limit', detail: `open files limit ${limit} >= ${needed} (server.maxConnections ${max} + upstream.connections ${upstream} + ${FD_HEADROOM} reserve)` }
  }
  if (explicit && limit < max + upstream) {
    return { status: 'fail', name: 'fd-limit', detail: `open files limit ${limit} can't hold server.maxConnections ${max} + upstream.connections ${upstream} you configured: ${fits}; raise it (${raise(needed)}) or lower server.maxConnections to ${clients}` }
  }
  return { status: 'warn', name: 'fd-limit', detail: `${fits}, fewer than server.maxConnections ${max}${explicit ? '' : ' (the default)'}; clients beyond it wait or are refused (EMFILE) until some close. For the full ${max}: ${raise(needed)}` }
}

export const command: Command = {
  name: 'doctor',
  summary: 'check the origin, Redis, MySQL and the fd limit',
  usage: `Usage: sipup-sidecar doctor [-c FILE]

Prints one line per check: upstream reachable, Redis reachable, MySQL reachable and its privileges, and the
open-files limit: how many client connections it holds (limit - upstream.connections - reserve), a warning
when that is below server.maxConnections, a failure only when a server.maxConnections you set can't be held.
Exits 1 when a check fails, 2 on a bad config.

${CONFIG_USAGE}`,
  async run (args) {
    const loaded = await loadConfigFromArgs(args)
    if (loaded === null) return EXIT_USAGE
    const config = loaded.config
    let limits: string | null = null
    try { limits = readFileSync('/proc/self/limits', 'utf8') } catch { limits = null }
    // The services as the sidecar itself would reach them; the checks print their own lines, so no log output.
    const container = await createContainer(config, { role: 'cli', log: pino({ level: 'silent' }) })
    let lines: CheckLine[]
    try {
      lines = [
        { status: 'ok', name: 'config', detail: `valid (${loaded.sources.join(' < ')})` },
        ...await Promise.all([checkUpstream(config), checkRedis(container), checkMysql(container, config)]),
        // A maxConnections left at its default is a ceiling, not a promise: only one the operator set can fail.
        checkFdLimit(config, limits, loaded.blame('server.maxConnections') !== loaded.sources[0]),
        ...checkTls(config)
      ]
    } finally {
      await container.close()
    }
    for (const l of lines) process.stdout.write(`${l.status.toUpperCase().padEnd(5)} ${l.name.padEnd(9)} ${l.detail}\n`)
    return lines.some(l => l.status === 'fail') ? EXIT_FAILURE : EXIT_OK
  }
}
