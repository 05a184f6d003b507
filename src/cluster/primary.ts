// The primary process of `server.workers > 1`: it forks the proxy workers (node:cluster shares the listening socket
// among them), replaces a worker that dies (with a back-off while they keep dying, so a crash loop doesn't spin a
// core), stops them all gracefully on SIGTERM/SIGINT, restarts them one at a time on SIGHUP (a new worker listens
// before an old one stops, so no connection is refused), and answers the workers' scrapes with the whole node's
// metrics (prom-client's AggregatorRegistry asks every worker for its registry) and the dashboard's live figures
// of the whole node (node-view.ts). It serves no request itself.
import cluster, { type Worker } from 'node:cluster'
import { AggregatorRegistry } from 'prom-client'
import type { FastifyBaseLogger } from 'fastify'
import type { CoreConfig } from '../config/core-schema.js'
import { NodeView } from './node-view.js'
import { MSG_METRICS_REQ, MSG_METRICS_RES, MSG_POOL_STATE, type MetricsRequest, type MetricsResponse, type PoolState } from '../core/cluster-link.js'
import { tlsEnabled } from '../core/tls/material.js'
import { workerCount, workerSlotEnv } from './worker-slot.js'
import { checkSplittable } from '../proxy/origin-guard/worker-share.js'

/** A worker that dies sooner than this after it started counts as a crash loop step. */
const STABLE_AFTER_MS = 10_000
const BACKOFF_FIRST_MS = 250
const BACKOFF_MAX_MS = 30_000
/** Consecutive early deaths after which the pool is reported unhealthy. */
const CRASH_LOOP_AFTER = 3
/** Time a worker being replaced on SIGHUP gets to start listening before the roll gives up on it. */
const START_TIMEOUT_MS = 30_000

export interface PrimaryOptions {
  log: FastifyBaseLogger
  /** Install SIGTERM/SIGINT/SIGHUP handlers. @default true */
  signals?: boolean
}

export interface RunningPrimary {
  /** Resolves when every worker has stopped (or was killed at the deadline); true when all stopped in time. */
  shutdown(reason: string): Promise<boolean>
  /** Replaces every worker, one at a time. */
  rollingRestart(): Promise<void>
  /** Resolves once `count` workers are listening. */
  ready: Promise<void>
  workers(): Worker[]
}

interface Slot {
  worker: Worker
  /** The worker's share of node-wide limits (worker-slot.ts); a replacement takes over its predecessor's. */
  index: number
  startedAt: number
  /** Every listener of the worker is bound. */
  listening: boolean
  whenListening: Promise<void>
}

/**
 * Sockets each worker binds, all shared through node:cluster (the primary holds each one, the workers accept from
 * it): the main port, and server.redirectHttp's plain-HTTP port beside a TLS one. A worker counts as listening once
 * it bound all of them, so a rolling restart never stops an old worker while its successor has the TLS port but not
 * yet the redirect (the shared socket would close with the last worker holding it, refusing connections to port 80).
 */
export function listenersPerWorker (server: CoreConfig['server']): number {
  return server.redirectHttp.enabled && tlsEnabled(server.tls) ? 2 : 1
}

function isMetricsRequest (m: unknown): m is MetricsRequest {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === MSG_METRICS_REQ
}

export function runPrimary (config: CoreConfig, opts: PrimaryOptions): RunningPrimary {
  const { log } = opts
  const count = workerCount(config.server.workers)
  // Before any fork: a limit the workers can't split would have every one of them fail at start, in a crash loop.
  checkSplittable(config.upstream, count)
  // The workers accept from the shared socket themselves (as nginx's do) instead of the primary accepting and
  // handing each connection over IPC: the primary stays off the request path, and a worker that stops listening
  // during a rolling restart simply stops accepting, so no connection is ever parked in a hand-over queue.
  cluster.schedulingPolicy = cluster.SCHED_NONE
  const aggregator = new AggregatorRegistry()
  const slots = new Map<number, Slot>()
  const view = new NodeView(() => [...slots.values()].map(s => s.worker))
  /** Workers we are stopping on purpose: their exit is not a crash. */
  const retiring = new Set<number>()
  let stopping: Promise<boolean> | null = null
  let rolling: Promise<void> | null = null
  let earlyDeaths = 0
  let crashLoop: string | null = null
  let respawnTimer: NodeJS.Timeout | null = null
  /** Slot indices of workers that died, for their replacements. */
  const pendingRespawns: number[] = []

  const broadcast = (): void => {
    const running = [...slots.values()].filter(s => s.listening).length
    const state: PoolState = { type: MSG_POOL_STATE, workers: count, running, crashLoop }
    for (const s of slots.values()) if (s.worker.isConnected()) s.worker.send(state)
  }

  const listeners = listenersPerWorker(config.server)
  const fork = (index: number): Slot => {
    const worker = cluster.fork(workerSlotEnv(index, count))
    let bound = 0
    let listened = (): void => undefined
    const slot: Slot = { worker, index, startedAt: Date.now(), listening: false, whenListening: new Promise(resolve => { listened = resolve }) }
    slots.set(worker.id, slot)
    view.join(worker.id)
    // The worker's 'listening' comes before cluster's for the same socket, so `ready` below sees this slot's state.
    worker.on('listening', () => {
      if (++bound < listeners) return
      slot.listening = true
      listened()
      broadcast()
    })
    worker.on('message', (m: unknown) => {
      if (view.handle(worker, m) || !isMetricsRequest(m)) return
      aggregator.clusterMetrics().then(body => {
        if (worker.isConnected()) worker.send({ type: MSG_METRICS_RES, id: m.id, contentType: aggregator.contentType, body } satisfies MetricsResponse)
      }, (err: Error) => {
        if (worker.isConnected()) worker.send({ type: MSG_METRICS_RES, id: m.id, contentType: 'text/plain', error: err.message } satisfies MetricsResponse)
      })
    })
    return slot
  }

  const respawnLater = (index: number): void => {
    pendingRespawns.push(index)
    if (respawnTimer !== null) return
    const delay = earlyDeaths === 0 ? 0 : Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (earlyDeaths - 1))
    respawnTimer = setTimeout(() => {
      respawnTimer = null
      const indices = pendingRespawns.splice(0)
      if (stopping === null) for (const i of indices) fork(i)
    }, delay)
  }

  cluster.on('exit', (worker, code, signal) => {
    const slot = slots.get(worker.id)
    slots.delete(worker.id)
    view.forget(worker.id)
    if (retiring.delete(worker.id) || stopping !== null || slot === undefined) {
      broadcast()
      return
    }
    const lived = Date.now() - slot.startedAt
    if (lived < STABLE_AFTER_MS) earlyDeaths++
    else earlyDeaths = 0
    if (earlyDeaths >= CRASH_LOOP_AFTER) {
      crashLoop = `workers keep dying within ${STABLE_AFTER_MS / 1000}s of start (${earlyDeaths} in a row, last: ${signal ?? `exit code ${code}`}); restarting with back-off`
      log.error({ pid: worker.process.pid, code, signal, earlyDeaths }, crashLoop)
    } else {
      log.warn({ pid: worker.process.pid, code, signal, livedMs: lived }, 'worker died: starting a new one')
    }
    broadcast()
    respawnLater(slot.index)
  })

  // A worker that stays up ends the crash loop.
  const stableCheck = setInterval(() => {
    if (crashLoop === null) return
    const now = Date.now()
    if ([...slots.values()].some(s => s.listening && now - s.startedAt >= STABLE_AFTER_MS)) {
      earlyDeaths = 0
      crashLoop = null
      log.info('workers are stable again')
      broadcast()
    }
  }, 1000)
  stableCheck.unref()

  const ready = new Promise<void>(resolve => {
    const onListening = (): void => {
      if ([...slots.values()].filter(s => s.listening).length >= count) {
        cluster.off('listening', onListening)
        resolve()
      }
    }
    cluster.on('listening', onListening)
  })
  for (let i = 0; i < count; i++) fork(i)

  const stopWorker = async (slot: Slot, graceMs: number): Promise<boolean> => {
    const { worker } = slot
    retiring.add(worker.id)
    const exited = new Promise<void>(resolve => {
      if (worker.isDead()) resolve()
      else worker.once('exit', () => { resolve() })
    })
    worker.process.kill('SIGTERM')
    let timer: NodeJS.Timeout | undefined
    const inTime = await Promise.race([
      exited.then(() => true),
      new Promise<false>(resolve => { timer = setTimeout(() => { resolve(false) }, graceMs) })
    ])
    clearTimeout(timer)
    if (!inTime) {
      worker.process.kill('SIGKILL')
      await exited
    }
    return inTime
  }

  // The worker's own deadline is shutdownTimeout; it gets a little more here before it is killed.
  const grace = config.server.shutdownTimeout + 2000

  const shutdown = (reason: string): Promise<boolean> => {
    stopping ??= (async () => {
      log.info({ reason, workers: slots.size }, 'shutting down: stopping every worker gracefully')
      clearInterval(stableCheck)
      if (respawnTimer !== null) clearTimeout(respawnTimer)
      const results = await Promise.all([...slots.values()].map(async s => await stopWorker(s, grace)))
      return results.every(Boolean)
    })()
    return stopping
  }

  const rollingRestart = (): Promise<void> => {
    rolling ??= (async () => {
      const old = [...slots.values()]
      log.info({ workers: old.length }, 'SIGHUP: restarting workers one at a time')
      for (const slot of old) {
        if (stopping !== null) break
        // Until the old worker has finished its requests, the slot's share is held twice: the node may exceed
        // upstream.maxConcurrent by one share for up to server.shutdownTimeout.
        const next = fork(slot.index)
        const started = await new Promise<boolean>(resolve => {
          const timer = setTimeout(() => { resolve(false) }, START_TIMEOUT_MS)
          void next.whenListening.then(() => { clearTimeout(timer); resolve(true) })
          next.worker.once('exit', () => { clearTimeout(timer); resolve(false) })
        })
        if (!started) {
          log.error('a new worker did not start listening: the rolling restart stops here, the old workers keep serving')
          break
        }
        await stopWorker(slot, grace)
      }
      log.info('rolling restart done')
    })().finally(() => { rolling = null })
    return rolling
  }

  if (opts.signals !== false) {
    const onStop = (signal: NodeJS.Signals): void => {
      if (stopping !== null) {
        log.warn({ signal }, 'second signal: killing the workers now')
        for (const s of slots.values()) s.worker.process.kill('SIGKILL')
        process.exit(1)
      }
      shutdown(signal).then(ok => process.exit(ok ? 0 : 1), () => process.exit(1))
    }
    process.on('SIGTERM', onStop)
    process.on('SIGINT', onStop)
    process.on('SIGHUP', () => { rollingRestart().catch((err: Error) => { log.error({ err: { message: err.message } }, 'rolling restart failed') }) })
  }

  return { shutdown, rollingRestart, ready, workers: () => [...slots.values()].map(s => s.worker) }
}
