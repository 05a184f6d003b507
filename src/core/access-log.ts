// One log line per request, written when the response has finished (also for hijacked proxy replies). Plugins add
// fields through sidecar.defineRequestField(); turning log.requests off removes this hook entirely.
import fp from 'fastify-plugin'
import type { FastifyPluginAsync, onResponseHookHandler } from 'fastify'
import type { RequestField, Sidecar } from './types.js'
import { queryLogger } from './log-path.js'

/** The onResponse hook writing the line; the proxy bypass (src/proxy/bypass.ts) runs one too. */
export function createAccessLog (sidecar: Sidecar): onResponseHookHandler {
  // Plugins define their fields after this plugin registered; the list is final at ready, before any request.
  let fields: readonly RequestField[] | null = null
  const logPath = queryLogger(sidecar.config.log.query, sidecar.config.log.redactQuery)
  return function logRequest (request, reply, done) {
    const s = request.sidecar
    const line: Record<string, unknown> = {
      reqId: request.id,
      method: request.method,
      path: logPath(request.url),
      status: reply.statusCode,
      ms: Math.round((performance.now() - s.start) * 100) / 100,
      upstreamMs: s.upstreamMs < 0 ? undefined : Math.round(s.upstreamMs * 100) / 100,
      upstreamError: s.upstreamError ?? undefined
    }
    fields ??= sidecar.requestFields.filter(f => f.log)
    for (let i = 0; i < fields.length; i++) {
      const v = fields[i].get(s)
      if (v !== null) line[fields[i].name] = v
    }
    line.ip = request.ip
    request.log.info(line, 'request')
    done()
  }
}

const accessLog: FastifyPluginAsync = async (fastify) => {
  // The bypass writes its own line for the requests it runs (src/app.ts hands it one).
  fastify.addHook('onResponse', fastify.sidecar.reproducedOnBypass(createAccessLog(fastify.sidecar)))
}

export default fp(accessLog, { name: 'sipup-access-log', fastify: '5.x', dependencies: ['sipup-core'] })
