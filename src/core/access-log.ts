// One log line per request, written when the response has finished (also for hijacked proxy replies).
// Plugins contribute fields through request.sidecar; turning log.requests off removes this hook entirely.
import fp from 'fastify-plugin'
import type { FastifyPluginAsync } from 'fastify'

const accessLog: FastifyPluginAsync = async (fastify) => {
  fastify.addHook('onResponse', function logRequest (request, reply, done) {
    const s = request.sidecar
    request.log.info({
      reqId: request.id,
      method: request.method,
      path: request.url,
      status: reply.statusCode,
      ms: Math.round((performance.now() - s.start) * 100) / 100,
      upstreamMs: s.upstreamMs < 0 ? undefined : Math.round(s.upstreamMs * 100) / 100,
      upstreamError: s.upstreamError ?? undefined,
      cache: s.cache ?? undefined,
      rateLimit: s.rateLimit ?? undefined,
      ip: request.ip
    }, 'request')
    done()
  })
}

export default fp(accessLog, { name: 'sipup-access-log', fastify: '5.x', dependencies: ['sipup-core'] })
