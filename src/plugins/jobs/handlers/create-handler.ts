// One handler per job type, built when the workers start. Each kind is imported only when a type uses it
// (nodemailer stays unloaded on a site without e-mail jobs).
import type { JobsParams } from '../options.js'
import type { Handler } from '../types.js'

export async function createHandlers (params: JobsParams): Promise<Map<string, Handler>> {
  const out = new Map<string, Handler>()
  for (const t of params.types.values()) {
    if (t.handler === 'http') {
      const { HttpHandler } = await import('./http-handler.js')
      out.set(t.name, new HttpHandler(t, params.section.http.maxErrorBody))
    } else if (t.handler === 'email') {
      const { EmailHandler } = await import('./email-handler.js')
      out.set(t.name, new EmailHandler(t, params.section.email))
    } else {
      const { ModuleHandler } = await import('./module-handler.js')
      out.set(t.name, await ModuleHandler.load(t))
    }
  }
  return out
}
