// An example capability plugin: a proxy hook (ordered after the rate limiter), a request field on the access log,
// an admin route, a feature report. Registered through its entry (./entry.ts), it is loaded only when enabled.
import fp from 'fastify-plugin'
import type { FastifyPluginAsync, onRequestHookHandler } from 'fastify'
import type { PluginOptions } from '../../../src/plugins/plugin-entry.js'
import type { HelloSchema } from './schema.js'

const hello: FastifyPluginAsync<PluginOptions<typeof HelloSchema>> = async (fastify, { config }) => {
  const sidecar = fastify.sidecar
  const greeted = sidecar.defineRequestField('hello')
  let count = 0
  const greet: onRequestHookHandler = async (request) => {
    request.sidecar.setResponseHeader('x-hello', config.greeting)
    greeted.set(request.sidecar, 'yes')
    count++
  }
  // Limited requests are answered before they are greeted.
  sidecar.addProxyHook('onRequest', greet, { name: 'hello', after: ['rateLimit'] })
  sidecar.addAdminRoutes(async admin => {
    admin.get('/api/hello', async () => ({ greeting: config.greeting, greeted: count }))
  })
  sidecar.reportFeature({ name: 'hello', state: 'on', detail: `greets with '${config.greeting}'` })
}

export default fp(hello, { name: 'sipup-hello', fastify: '5.x', dependencies: ['sipup-core'] })
