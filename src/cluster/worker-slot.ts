// Which of the node's proxy workers this process is: the primary (primary.ts) gives each fork a slot index in
// 0..count-1 through the environment, and a replacement (after a crash or on SIGHUP) takes over the slot of the
// worker it replaces. cluster.worker.id can't serve: it counts every fork since the primary started.
import cluster from 'node:cluster'
import { availableParallelism } from 'node:os'
import type { CoreConfig } from '../config/core-schema.js'

export const WORKER_INDEX_ENV = 'SIPUP_WORKER_INDEX'
export const WORKER_COUNT_ENV = 'SIPUP_WORKER_COUNT'

export interface WorkerSlot {
  /** 0..count-1, stable across replacements of the worker in that slot. */
  index: number
  count: number
}

/** The proxy processes `server.workers` asks for (`auto`: one per available CPU). */
export function workerCount (setting: CoreConfig['server']['workers']): number {
  return setting === 'auto' ? availableParallelism() : setting
}

/** What the primary puts in a worker's environment for slot `index` of `count`. */
export function workerSlotEnv (index: number, count: number): Record<string, string> {
  return { [WORKER_INDEX_ENV]: String(index), [WORKER_COUNT_ENV]: String(count) }
}

/** This process's slot; null outside a `server.workers` cluster (a single process has the whole node's limits). */
export function workerSlot (env: NodeJS.ProcessEnv = process.env, isWorker: boolean = cluster.isWorker): WorkerSlot | null {
  if (!isWorker) return null
  const index = Number(env[WORKER_INDEX_ENV])
  const count = Number(env[WORKER_COUNT_ENV])
  if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 0 || index >= count) return null
  return { index, count }
}
