// A test origin that counts how many requests it holds at once and lets the test release them, and a sidecar with
// origin protection in front of it.
import type http from 'node:http'
import type { Test } from 'tap'
import { request, Agent } from 'undici'
import { startOrigin, startSidecar, type Origin, type Overrides, type Sidecar } from '../helpers/sidecar.js'

export interface CountingOrigin {
  origin: Origin
  /** Most requests held at once so far. */
  readonly peak: number
  readonly active: number
  /** Paths in the order the origin received them. */
  readonly seen: string[]
  /** Answer every held request (and, with `auto`, every later one at once). */
  releaseAll(): void
  /** Answer the oldest held request. */
  releaseOne(): void
}

/** `delayMs` > 0: answer each request after that long; 0: hold every request until the test releases it. */
export async function countingOrigin (t: Test, delayMs: number, respond?: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<CountingOrigin> {
  let active = 0
  let peak = 0
  let open = false
  const held: (() => void)[] = []
  const seen: string[] = []
  const origin = await startOrigin((req, res) => {
    active++
    peak = Math.max(peak, active)
    seen.push(req.url ?? '')
    const answer = (): void => {
      active--
      if (respond !== undefined) { respond(req, res); return }
      res.setHeader('content-type', 'text/plain')
      res.end(`ok ${req.url ?? ''}`)
    }
    if (delayMs > 0) setTimeout(answer, delayMs)
    else if (open) answer()
    else held.push(answer)
  })
  t.after(() => origin.close())
  return {
    origin,
    get peak () { return peak },
    get active () { return active },
    seen,
    releaseAll () { open = true; for (const a of held.splice(0)) a() },
    releaseOne () { held.shift()?.() }
  }
}

export async function guardedSidecar (t: Test, origin: Origin, upstream: Overrides, more: Overrides = {}): Promise<Sidecar> {
  const sc = await startSidecar({ upstream: { url: origin.url, ...upstream }, ...more })
  t.after(() => sc.close())
  return sc
}

export function client (t: Test): Agent {
  const agent = new Agent({ connections: 500, pipelining: 1 })
  t.after(() => agent.close())
  return agent
}

export async function get (agent: Agent, url: string, headers: Record<string, string> = {}): Promise<{ status: number, headers: Record<string, string | string[] | undefined>, body: string }> {
  const res = await request(url, { dispatcher: agent, headers })
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() }
}

/** Reads a gauge's value from the sidecar's registry (0 when absent). */
export async function gauge (sc: Sidecar, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = sc.app.sidecar.metrics.getSingleMetric(name)
  if (m === undefined) return 0
  const { values } = await m.get()
  const v = values.find(x => Object.entries(labels).every(([k, l]) => x.labels[k] === l))
  return v?.value ?? 0
}

/** Polls until `check` holds (origin and sidecar state change asynchronously); fails after ~5 s. */
export async function until (what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  throw new Error(`timed out waiting for: ${what}`)
}
