// Exactly the privileges the DB advisor uses, each with what it is for, and a check of SHOW GRANTS against them:
// `doctor` prints the missing ones by name, and the advisor's own errors name the one a failing statement lacked.
import type { DbClient, Flavor } from './db-client.js'

export interface WantedPrivilege {
  privilege: string
  /** `*.*`, `<schema>.*` or `<schema>.<table>` */
  scope: string
  why: string
  /** Only one feature needs it (a source, a nicety): its absence is a warning, not a failure. */
  optional: boolean
}

/** The list for a server flavor, the analysed schemas and the sidecar's own schema. */
export function wantedPrivileges (flavor: Flavor, schemas: readonly string[], auditSchema: string): WantedPrivilege[] {
  const out: WantedPrivilege[] = [
    { privilege: 'PROCESS', scope: '*.*', why: 'see other sessions\' statements (processlist source)', optional: false }
  ]
  for (const s of schemas) {
    out.push(
      { privilege: 'SELECT', scope: `${s}.*`, why: 'EXPLAIN, ANALYZE and time the workload\'s statements', optional: false },
      { privilege: 'ALTER', scope: `${s}.*`, why: 'add, ignore and drop the indexes it proposes (online ALTER TABLE)', optional: false },
      { privilege: 'INSERT', scope: `${s}.*`, why: 'ANALYZE TABLE (statistics maintenance)', optional: false })
    // MySQL's ALTER TABLE also needs CREATE and INSERT on the table; MariaDB's needs ALTER only.
    if (flavor === 'mysql') out.push({ privilege: 'CREATE', scope: `${s}.*`, why: 'ALTER TABLE on MySQL', optional: false })
  }
  for (const p of ['CREATE', 'SELECT', 'INSERT', 'UPDATE', 'DELETE']) {
    out.push({ privilege: p, scope: `${auditSchema}.*`, why: 'keep the audit table and analyses in the sidecar\'s own schema', optional: false })
  }
  out.push(
    { privilege: 'SELECT', scope: 'mysql.slow_log', why: 'read the slow log table (slowlog source)', optional: true },
    { privilege: 'SELECT', scope: 'performance_schema.*', why: 'read statement digests (digest source)', optional: true },
    { privilege: 'SELECT', scope: 'mysql.innodb_index_stats', why: 'index sizes in the report', optional: true })
  if (flavor === 'mariadb') out.push({ privilege: 'SELECT', scope: 'mysql.column_stats', why: 'row estimates from engine-independent statistics', optional: true })
  return out
}

interface Grant {
  privileges: Set<string>
  db: RegExp
  table: RegExp
}

/** A grant's db or table pattern (`%` and `_` wildcards, `\_` escapes, backquotes) as a regex. */
function pattern (p: string): RegExp {
  const raw = p.replace(/^`|`$/g, '')
  if (raw === '*') return /^.*$/s
  let re = ''
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]
    if (c === '\\' && i + 1 < raw.length) { re += raw[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); continue }
    re += c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`, 'i')
}

export function parseGrants (lines: readonly string[]): Grant[] {
  const out: Grant[] = []
  for (const line of lines) {
    const m = /^GRANT (.+?) ON (?:TABLE )?(`(?:[^`]|``)*`|\*|[^.\s]+)\.(`(?:[^`]|``)*`|\*|\S+) TO /i.exec(line)
    if (m === null) continue
    const privileges = new Set(m[1].split(',').map(p => p.trim().replace(/\s*\(.*$/, '').toUpperCase()))
    out.push({ privileges, db: pattern(m[2]), table: pattern(m[3]) })
  }
  return out
}

export function hasPrivilege (grants: readonly Grant[], privilege: string, scope: string): boolean {
  const [db, table = '*'] = scope.split('.')
  return grants.some(g => (g.privileges.has(privilege) || g.privileges.has('ALL PRIVILEGES') || g.privileges.has('ALL')) &&
    (db === '*' ? g.db.source === '^.*$' : g.db.test(db)) &&
    (table === '*' ? g.table.source === '^.*$' : g.table.test(table)))
}

export interface PrivilegeCheck {
  missing: WantedPrivilege[]
  /** Missing optional ones. */
  optional: WantedPrivilege[]
}

export async function checkPrivileges (client: DbClient, schemas: readonly string[], auditSchema: string): Promise<PrivilegeCheck> {
  const info = await client.info()
  const rows = await client.rows('SHOW GRANTS', [], 'read the sidecar user\'s grants')
  const grants = parseGrants(rows.map(r => String(Object.values(r)[0])))
  const wanted = wantedPrivileges(info.flavor, schemas, auditSchema)
  const lacking = wanted.filter(w => !hasPrivilege(grants, w.privilege, w.scope))
  return { missing: lacking.filter(w => !w.optional), optional: lacking.filter(w => w.optional) }
}

export function describePrivileges (list: readonly WantedPrivilege[]): string {
  return list.map(w => `${w.privilege} ON ${w.scope}`).join(', ')
}
