// `sipup-sidecar db`: the DB advisor from a shell, without a running proxy. Analyse the workload, apply chosen
// suggestions (dry run unless --yes), undo, report. Every failure prints its code and plain words, never a stack.
import { pino } from 'pino'
import { Registry } from 'prom-client'
import { CONFIG_OPTION, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type Command, type CommandContext, type WithSection } from '../../../core/command.js'
import type { DbSection } from '../schema.js'
import { parseSubcommand, type CommandIo } from '../../../core/command-args.js'
import { createContainer, type SidecarContainer } from '../../../core/container.js'
import { parseDuration } from '../../../config/units.js'
import { isCodedError as isCoded, SIPUP_ERR_DB_BAD_REQUEST, SIPUP_ERR_DB_NOT_CONFIGURED } from '../../../errors.js'
import { LocalLocks } from '../../../core/fleet-lock.js'
import { DbAdmin } from '../db-admin.js'
import { formatMs, formatRatio } from '../format.js'
import { resolveDbOptions } from '../options.js'
import { describePrivileges } from '../privileges.js'
import { formatAnalysis, formatChange, formatReport, formatSuggestion } from '../report.js'
import { SOURCE_NAMES, type SourceName } from '../schema.js'
import type { ApplyPlan, DbLogger, LockFn } from '../types.js'
import { userInfo } from 'node:os'

const USAGE = `Usage: sipup-sidecar db <command> [options] [-c FILE]

The DB advisor: finds the indexes the workload misses, applies them online, proves the gain, undoes.

Commands:
  analyze [--source digest|slowlog|processlist|all] [--window 60s] [--json]
      Read the workload (default: db.sources), propose indexes, store the analysis in db.auditSchema.
      --window is how long the processlist source samples (default db.processlistWindow).
  apply [--yes] [--allow-large] [--json] [ID...]
      Apply suggestions of the latest analysis one at a time with online DDL, then time the helped queries
      before and after. Without --yes: a dry run that prints the DDL and today's figures and changes nothing.
      Without IDs: every add-index suggestion. --allow-large: tables above db.maxOnlineTableSize too.
  undo [ID] [--json]
      Undo a change the sidecar made (default: the latest applied one): drops exactly the index it added.
  report [--json]
      Table and index sizes, fragmentation, top shapes by total time, suggestions, redundant and unused indexes.

Options:
  -c, --config FILE   YAML config merged over the defaults (mysql.url, db.*)
  -h, --help          this text

Exit codes: 0 done, 1 a database error (named with its code), 2 bad usage or config.`

export type Io = CommandIo

const OPTIONS = {
  ...CONFIG_OPTION,
  source: { type: 'string' },
  window: { type: 'string' },
  json: { type: 'boolean' },
  yes: { type: 'boolean' },
  'allow-large': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' }
} as const

const SUBCOMMANDS = ['analyze', 'apply', 'undo', 'report'] as const

function actor (): string {
  let user = 'unknown'
  try { user = userInfo().username } catch { /* no passwd entry in some containers */ }
  return `cli:${user}`
}

/** Logs go to stderr as plain lines, so stdout stays the command's result (text or JSON). */
function stderrLogger (io: Io): DbLogger {
  const write = (level: string) => (_obj: object, msg?: string): void => { if (msg !== undefined) io.stderr.write(`${level}: ${msg}\n`) }
  return { info: () => {}, warn: write('warning'), error: write('error') }
}

/** Schema changes are coordinated with every running sidecar on the same Redis through the fleet lock; without
 * Redis (or while it is down) they are not, which is said once. */
function fleetLock (container: SidecarContainer, io: Io): LockFn {
  if (container.redis.client !== null && !container.redis.isReady()) {
    io.stderr.write('warning: Redis unreachable: schema changes are not coordinated with running sidecars\n')
  }
  const locks = container.redis.isReady() || container.redis.client === null ? container.locks : new LocalLocks()
  return (name, ttlMs) => locks.acquire(name, ttlMs)
}

function parseSources (value: string | undefined): SourceName[] | undefined {
  if (value === undefined || value === 'all') return value === 'all' ? [...SOURCE_NAMES] : undefined
  if (!(SOURCE_NAMES as readonly string[]).includes(value)) {
    throw new SIPUP_ERR_DB_BAD_REQUEST(`--source: expected ${SOURCE_NAMES.join('|')}|all, got '${value}'`)
  }
  return [value as SourceName]
}

function printPlan (p: ApplyPlan, io: Io): void {
  const s = p.suggestion
  if (p.dryRun) {
    io.stdout.write(`DRY RUN (nothing changed; add --yes to apply):\n${formatSuggestion(s).join('\n')}\n`)
    for (const b of p.before) io.stdout.write(`    now: ${formatMs(b.medianMs)} median, ${b.rowsExamined ?? '?'} rows examined: ${b.text.slice(0, 100)}\n`)
    return
  }
  const c = p.change
  if (c === null) return
  io.stdout.write(`applied #${c.id}: ${c.ddl}\n`)
  for (const b of c.before) {
    const a = c.after.find(x => x.fingerprint === b.fingerprint)
    io.stdout.write(`    ${formatMs(b.medianMs)} -> ${formatMs(a?.medianMs ?? null)}, rows ${b.rowsExamined ?? '?'} -> ${a?.rowsExamined ?? '?'}${a?.usesIndex === true ? '' : ' (index not used!)'}: ${b.text.slice(0, 100)}\n`)
  }
  io.stdout.write(c.verdict === 'no-gain'
    ? `    did not help (${formatRatio(c.speedup)} < db.minGain): undo it with \`sipup-sidecar db undo ${c.id}\`\n`
    : `    ${c.verdict}: ${formatRatio(c.speedup)} faster; undo with \`sipup-sidecar db undo ${c.id}\`\n`)
}

async function runWith (admin: DbAdmin, sub: string, values: Record<string, unknown>, ids: string[], io: Io): Promise<number> {
  const json = values.json === true
  const out = (v: unknown): void => { io.stdout.write(JSON.stringify(v, null, 2) + '\n') }
  if (sub === 'analyze') {
    const sources = parseSources(values.source as string | undefined)
    let windowMs: number | undefined
    if (values.window !== undefined) {
      windowMs = parseDuration(values.window)
      if (windowMs === undefined) throw new SIPUP_ERR_DB_BAD_REQUEST(`--window: expected a duration like 60s, got '${String(values.window)}'`)
    }
    const check = await admin.privileges()
    if (check.missing.length > 0) io.stderr.write(`warning: missing privileges: ${describePrivileges(check.missing)} (sipup-sidecar doctor explains each)\n`)
    if (sources?.includes('processlist') === true || (sources === undefined && admin.options.sources.includes('processlist'))) {
      io.stderr.write(`sampling the processlist for ${formatMs(windowMs ?? admin.options.processlistWindowMs)}...\n`)
    }
    const a = await admin.analyze({ sources, windowMs, strict: sources !== undefined && sources.length === 1, actor: actor() })
    if (json) out(a)
    else io.stdout.write(formatAnalysis(a) + '\n')
    return EXIT_OK
  }
  if (sub === 'apply') {
    const latest = await admin.latest()
    const chosen = ids.length > 0 ? ids : (latest?.suggestions ?? []).filter(s => s.kind === 'add-index').map(s => s.id)
    if (latest !== null && chosen.length === 0) { io.stdout.write('Nothing to apply: the latest analysis has no index suggestions.\n'); return EXIT_OK }
    const plans: ApplyPlan[] = []
    let failed = false
    for (const id of chosen.length === 0 ? [''] : chosen) {
      try {
        const p = await admin.apply(id, { actor: actor(), allowLarge: values['allow-large'] === true, dryRun: values.yes !== true })
        plans.push(p)
        if (!json) printPlan(p, io)
      } catch (err) {
        if (!isCoded(err)) throw err
        failed = true
        io.stderr.write(`${id}: ${err.code}: ${err.message}\n`)
        // A refused change stops the run: the next one may depend on the same table, and the operator should look.
        break
      }
    }
    if (json) out(plans)
    return failed ? EXIT_FAILURE : EXIT_OK
  }
  if (sub === 'undo') {
    if (ids.length > 1) throw new SIPUP_ERR_DB_BAD_REQUEST(`undo takes one change id, got ${ids.length}`)
    const id = ids.length === 0 ? null : Number(ids[0])
    if (id !== null && (!Number.isInteger(id) || id < 1)) throw new SIPUP_ERR_DB_BAD_REQUEST(`undo: expected a change id (a number), got '${ids[0]}'`)
    const c = await admin.undo(id, actor())
    if (json) out(c)
    else io.stdout.write(`undone: ${c.undoDdl}\n${formatChange(c)}\n`)
    return EXIT_OK
  }
  const r = await admin.report()
  if (json) out(r)
  else io.stdout.write(formatReport(r) + '\n')
  return EXIT_OK
}

/** The command with its output streams injectable (tests). */
export async function runDb (args: string[], io: Io, ctx: CommandContext): Promise<number> {
  const parsed = parseSubcommand(args, OPTIONS, { name: 'db', usage: USAGE, subcommands: SUBCOMMANDS }, io)
  if (typeof parsed === 'number') return parsed
  const { values, sub, rest: ids } = parsed
  if (sub !== 'apply' && sub !== 'undo' && ids.length > 0) {
    io.stderr.write(`db ${sub} takes no arguments, got '${ids.join(' ')}'\n`)
    return EXIT_USAGE
  }
  const loaded = await ctx.loadConfig(values.config, io.stderr)
  if (loaded === null) return EXIT_USAGE
  const config = loaded.config as WithSection<'db', DbSection>
  let container: SidecarContainer | null = null
  try {
    const options = resolveDbOptions(config.db, config.mysql)
    // The core's services as the proxy has them: its MySQL pool and its fleet lock; no Fastify, no listener.
    container = await createContainer(config, { role: 'cli', log: pino({ level: 'silent' }) })
    const pool = container.mysql.pool
    if (pool === null) throw new SIPUP_ERR_DB_NOT_CONFIGURED('mysql.url is empty (set MYSQL_URL)')
    const admin = new DbAdmin({ pool, registry: new Registry(), logger: stderrLogger(io), options, lock: fleetLock(container, io) })
    return await runWith(admin, sub, values, ids, io)
  } catch (err) {
    if (!isCoded(err)) throw err
    io.stderr.write(`sipup-sidecar db ${sub}: ${err.code}: ${err.message}\n`)
    return err.code === 'SIPUP_ERR_DB_BAD_REQUEST' || err.code === 'SIPUP_ERR_DB_NOT_CONFIGURED' ? EXIT_USAGE : EXIT_FAILURE
  } finally {
    await container?.close()
  }
}

export const command: Command = {
  name: 'db',
  summary: 'DB advisor: analyze the workload, apply/undo index suggestions online, report',
  usage: USAGE,
  run: (args, ctx) => runDb(args, { stdout: process.stdout, stderr: process.stderr }, ctx)
}
