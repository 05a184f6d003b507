// Tests that need a server a user's machine may lack (Redis, MariaDB, Chromium...) call these first.
// Without CI they skip with the reason printed; with CI=true a missing service fails the test: in CI nothing is skipped.
import { connect } from 'node:net'
import { existsSync } from 'node:fs'
import type { Test } from 'tap'

export const inCI = process.env.CI === 'true' || process.env.CI === '1'

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
export const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test'

function reachable (url: string, timeoutMs = 500): Promise<boolean> {
  const u = new URL(url)
  return new Promise(resolve => {
    const sock = connect({ host: u.hostname, port: Number(u.port) })
    const done = (ok: boolean): void => { sock.destroy(); resolve(ok) }
    sock.setTimeout(timeoutMs, () => done(false))
    sock.once('connect', () => done(true))
    sock.once('error', () => done(false))
  })
}

/** Returns false (and skips or fails `t`) when the need is not met. */
async function need (t: Test, ok: boolean, what: string): Promise<boolean> {
  if (ok) return true
  if (inCI) {
    t.fail(`${what} (CI=true: nothing is skipped in CI)`)
  } else {
    t.comment(`SKIP: ${what}`)
    t.pass(`skipped: ${what}; set CI=true to make this a failure`, { skip: true })
  }
  return false
}

export async function requireRedis (t: Test): Promise<boolean> {
  return need(t, await reachable(REDIS_URL), `Redis is not reachable at ${REDIS_URL}`)
}

export async function requireMysql (t: Test): Promise<boolean> {
  return need(t, await reachable(MYSQL_URL), `MariaDB/MySQL is not reachable at ${MYSQL_URL}`)
}

export async function requireProgram (t: Test, path: string, what: string): Promise<boolean> {
  return need(t, existsSync(path), `${what} is not installed (${path})`)
}

/** A key prefix unique to one test file and run, so parallel test files never share Redis keys. */
export function uniquePrefix (name: string): string {
  return `sipup-test:${name}:${process.pid}:${Date.now().toString(36)}:`
}

/** For a need the helpers above don't cover (e.g. PHP with the right extensions): skip locally, fail in CI. */
export async function requireThat (t: Test, ok: boolean, what: string): Promise<boolean> {
  return need(t, ok, what)
}
