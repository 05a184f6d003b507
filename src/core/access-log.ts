// One log line per request, written when the response has finished (also for hijacked proxy replies). Plugins add
// fields through sidecar.defineRequestField(); turning log.requests off removes this hook entirely.
import fp from 'fastify-plugin'
import type { FastifyPluginAsync } from 'fastify'
import type { RequestField } from './types.js'
import { queryLogger } from './log-path.js'

const accessLog: FastifyPluginAsync = async (fastify) => {
  let fields: readonly RequestField[] = []
  const logPath = queryLogger(fastify.sidecar.config.log.query, fastify.sidecar.config.log.redactQuery)
  // Plugins define their fields after this plugin registered; the list is final at ready.
  fastify.addHook('onReady', async () => { fields = fastify.sidecar.requestFields.filter(f => f.log) })
  fastify.addHook('onResponse', function logRequest (request, reply, done) {
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
    for (let i = 0; i < fields.length; i++) {
      const v = fields[i].get(s)
      if (v !== null) line[fields[i].name] = v
    }
    line.ip = request.ip
    request.log.info(line, 'request')
    done()
  })
}

export default fp(accessLog, { name: 'sipup-access-log', fastify: '5.x', dependencies: ['sipup-core'] })
