// mysql2 errors turned into the advisor's coded errors: an operator reads which privilege is missing or that the
// server is unreachable, never a driver stack. Branches on err.code, as the style guide asks.
import {
  isCodedError as isCoded, SIPUP_ERR_DB_PRIVILEGE, SIPUP_ERR_DB_QUERY, SIPUP_ERR_DB_UNREACHABLE
} from '../../errors.js'

export interface DriverError extends Error {
  code?: string
  errno?: number
  sqlMessage?: string
  fatal?: boolean
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'EPIPE',
  'PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_ACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR',
  'ER_CON_COUNT_ERROR', 'ER_HOST_IS_BLOCKED', 'ER_HOST_NOT_PRIVILEGED'])

const DENIED = new Set(['ER_TABLEACCESS_DENIED_ERROR', 'ER_COLUMNACCESS_DENIED_ERROR', 'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR', 'ER_PROCACCESS_DENIED_ERROR'])


/** The privilege a denial names: "SELECT command denied ...", "you need (at least one of) the PROCESS privilege(s)". */
export function deniedPrivilege (message: string): string | null {
  const command = /^(\w+(?: \w+)?) command denied/i.exec(message)
  if (command !== null) return command[1].toUpperCase()
  const need = /the ([A-Z ,]+?) privilege/i.exec(message)
  if (need !== null) return need[1].toUpperCase()
  if (/to database/i.test(message)) return 'access to the database'
  return null
}

/** Wraps a driver error into SIPUP_ERR_DB_UNREACHABLE / _PRIVILEGE / _QUERY; coded errors pass through. */
export function toDbError (err: unknown, what: string, server: string): Error {
  if (isCoded(err)) return err
  const e = err as DriverError
  const code = e.code ?? ''
  const message = e.sqlMessage ?? e.message
  if (UNREACHABLE.has(code) || code === 'ETIMEDOUT' || /connect ETIMEDOUT|Connection lost/i.test(message)) {
    return new SIPUP_ERR_DB_UNREACHABLE(server, code === '' ? message : `${code}: ${message}`, { cause: err })
  }
  if (DENIED.has(code)) {
    return new SIPUP_ERR_DB_PRIVILEGE(deniedPrivilege(message) ?? code, `${what} (${message})`, { cause: err })
  }
  return new SIPUP_ERR_DB_QUERY(what, code === '' ? message : `${code}: ${message}`, { cause: err })
}
