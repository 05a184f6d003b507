// Scheduled ANALYZE TABLE for the tables the workload touches, so the optimizer's index statistics stay fresh.
// Once per interval across the fleet: each period has its own lock name, taken for the whole period and not
// released after a successful run, so whichever instance ticks first runs it and the others skip until the next
// period. A failed run releases it so the next tick (here or elsewhere) retries.
import type { DbClient } from './db-client.js'
import { qualified } from './db-client.js'
import type { DbLogger, LockFn } from './types.js'

export const MAINTENANCE_LOCK = 'db:analyze'
/** Longest between two checks whether this period's run is due. */
export const MAX_TICK_MS = 3_600_000

export interface MaintenanceOptions {
  client: DbClient
  lock: LockFn
  logger: DbLogger
  intervalMs: number
  lockWaitTimeoutMs: number
  /** `schema.table` names to analyse (the latest analysis's tables). */
  tables: () => Promise<string[]>
  onRun?: (outcome: 'ran' | 'skipped' | 'error') => void
  /** @default Date.now */
  now?: () => number
  /** @default min(intervalMs, MAX_TICK_MS) */
  tickMs?: number
}

export interface MaintenanceRun {
  ran: boolean
  /** Why it did not run. */
  reason: string | null
  tables: { table: string, ok: boolean, message: string }[]
}

export class AnalyzeScheduler {
  readonly #o: MaintenanceOptions
  #timer: NodeJS.Timeout | null = null
  #running: Promise<MaintenanceRun> | null = null

  constructor (opts: MaintenanceOptions) {
    this.#o = opts
  }

  start (): void {
    if (this.#timer !== null) return
    const every = this.#o.tickMs ?? Math.min(this.#o.intervalMs, MAX_TICK_MS)
    this.#timer = setInterval(() => { this.tick().catch(() => undefined) }, every)
    this.#timer.unref()
  }

  /** Stops the timer and waits for a run in progress. */
  async stop (): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer)
    this.#timer = null
    await this.#running?.catch(() => undefined)
  }

  /** Runs this period's maintenance unless some instance already did (or is doing it). */
  tick (): Promise<MaintenanceRun> {
    this.#running ??= this.#tick().finally(() => { this.#running = null })
    return this.#running
  }

  async #tick (): Promise<MaintenanceRun> {
    const now = (this.#o.now ?? Date.now)()
    const period = Math.floor(now / this.#o.intervalMs)
    const held = await this.#o.lock(`${MAINTENANCE_LOCK}:${period}`, this.#o.intervalMs)
    if (held === null) {
      this.#o.onRun?.('skipped')
      return { ran: false, reason: 'already run (or running) this period on some instance', tables: [] }
    }
    let run: MaintenanceRun
    try {
      run = await this.analyze(await this.#o.tables())
    } catch (err) {
      await held.release().catch(() => undefined)
      this.#o.onRun?.('error')
      this.#o.logger.error({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'db: statistics maintenance failed')
      throw err
    }
    if (run.tables.length > 0 && run.tables.every(t => !t.ok)) await held.release().catch(() => undefined)
    this.#o.onRun?.(run.tables.some(t => !t.ok) ? 'error' : 'ran')
    return run
  }

  /** ANALYZE TABLE each of `tables` now, one at a time, with the DDL lock wait bounded. */
  async analyze (tables: readonly string[]): Promise<MaintenanceRun> {
    const { client } = this.#o
    const out: MaintenanceRun = { ran: true, reason: null, tables: [] }
    if (tables.length === 0) return { ran: false, reason: 'no tables: nothing analysed yet', tables: [] }
    const seconds = Math.max(1, Math.ceil(this.#o.lockWaitTimeoutMs / 1000))
    await client.withConnection('run ANALYZE TABLE', async conn => {
      await client.exec(`SET SESSION lock_wait_timeout = ${seconds}`, 'bound lock_wait_timeout', conn)
      for (const name of tables) {
        const dot = name.indexOf('.')
        try {
          const rows = await client.rows(`ANALYZE TABLE ${qualified(name.slice(0, dot), name.slice(dot + 1))}`, [], `ANALYZE TABLE ${name}`, conn)
          const bad = rows.find(r => String(r.Msg_type).toLowerCase() === 'error')
          out.tables.push({ table: name, ok: bad === undefined, message: String((bad ?? rows[rows.length - 1])?.Msg_text ?? '') })
        } catch (err) {
          out.tables.push({ table: name, ok: false, message: (err as Error).message })
        }
      }
      await client.exec('SET SESSION lock_wait_timeout = DEFAULT', 'restore lock_wait_timeout', conn).catch(() => undefined)
    })
    this.#o.logger.info({ db: { analyzed: out.tables.length, failed: out.tables.filter(t => !t.ok).length } }, 'db: refreshed index statistics')
    return out
  }
}
