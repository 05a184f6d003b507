// `module`: custom work in a JS module whose default export (or `handler` export) is
// `async (payload, ctx) => result`. Loaded once when the workers start, so a missing module or a wrong export
// stops the worker at start-up instead of failing every job.
import { pathToFileURL } from 'node:url'
import { SIPUP_ERR_JOBS_CONFIG } from '../../../errors.js'
import type { JobTypeParams } from '../options.js'
import type { Handler, JobContext, ModuleHandler as ModuleFn } from '../types.js'

export class ModuleHandler implements Handler {
  readonly #fn: ModuleFn

  private constructor (fn: ModuleFn) {
    this.#fn = fn
  }

  static async load (type: JobTypeParams): Promise<ModuleHandler> {
    let mod: { default?: unknown, handler?: unknown }
    try {
      mod = await import(pathToFileURL(type.target).href) as { default?: unknown, handler?: unknown }
    } catch (err) {
      throw new SIPUP_ERR_JOBS_CONFIG(`types[${type.name}].module`, 'a JS module that loads', `${type.target}: ${(err as Error).message}`)
    }
    const fn = typeof mod.default === 'function' ? mod.default : mod.handler
    if (typeof fn !== 'function') {
      throw new SIPUP_ERR_JOBS_CONFIG(`types[${type.name}].module`, 'a module exporting a function (default or `handler`)', type.target)
    }
    return new ModuleHandler(fn as ModuleFn)
  }

  async run (payload: unknown, ctx: JobContext): Promise<unknown> {
    return await this.#fn(payload, ctx)
  }
}
