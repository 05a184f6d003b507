// The job endpoint as its own encapsulated Fastify plugin (register it with a prefix, e.g. `/_jobs`): its body
// parser, error handler and 404 stay inside the prefix, and it sets no proxy-route config, so the proxy's hooks
// (cache, rate limit) never run on it and nothing under the prefix is forwarded to the origin.
//   POST   /:type  enqueue   -> 202 {id, status} + Location
//   POST   /:type/batch  enqueue many, all or none -> 202 {jobs: [{id, status, duplicate}]}
//   GET    /:id    status    -> 200 JobInfo
//   DELETE /:id    cancel    -> 200 {id, status: 'cancelled'}
import type { FastifyError, FastifyPluginAsync, FastifyRequest } from 'fastify'
import { SIPUP_ERR_JOBS_INVALID_PAYLOAD, SIPUP_ERR_JOBS_NOT_FOUND, SIPUP_ERR_JOBS_UNKNOWN_TYPE } from '../../errors.js'
import { authenticate, type AuthSettings } from './auth.js'
import type { PayloadProblem } from './options.js'
import { sendProblem } from './problem.js'
import { parseBatch } from './batch.js'
import { parseEnqueueOptions } from './enqueue-options.js'
import type { JobsService } from './service.js'
import type { EnqueueOptions } from './types.js'

interface TypeParams { type: string }
interface IdParams { id: string }
interface EnqueueQuery { priority?: string, delay?: string, runAt?: string }

function payloadError (type: string, problem: PayloadProblem): FastifyError {
  return Object.assign(new SIPUP_ERR_JOBS_INVALID_PAYLOAD(type, `${problem.field} ${problem.message}`), { problems: [problem] })
}

/** The body as JSON; 400 naming what is wrong when it is empty or not JSON. */
function parseBody (type: string, raw: string, batch = false): unknown {
  const what = batch ? 'a JSON array of jobs' : 'a JSON object'
  if (raw === '') throw payloadError(type, { field: '(payload)', message: `is required: send ${what} with Content-Type: application/json` })
  try {
    return JSON.parse(raw)
  } catch (err) {
    if (raw.trim() === '') throw payloadError(type, { field: '(payload)', message: `is required: send ${what} with Content-Type: application/json` })
    throw payloadError(type, { field: '(payload)', message: `is not valid JSON (${(err as Error).message})` })
  }
}

// Answers serialised by compiled schemas (fast-json-stringify) instead of JSON.stringify on every enqueue.
const ENQUEUED = {
  type: 'object',
  properties: { id: { type: 'string' }, status: { type: 'string' } },
  required: ['id', 'status']
} as const
const BATCH_ENQUEUED = {
  type: 'object',
  properties: {
    jobs: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' }, duplicate: { type: 'boolean' } }, required: ['id', 'status', 'duplicate'] }
    }
  },
  required: ['jobs']
} as const

/** The routes plugin for one engine; `now` is the clock the replay window is checked against. */
export function jobsRoutes (service: JobsService, now: () => number = Date.now): FastifyPluginAsync {
  const params = service.params
  const section = params.section
  const auth: AuthSettings = { bearer: section.bearer, replayWindowMs: section.replayWindow, now }
  const producer = service.producer
  const store = service.store

  return async function jobsEndpoint (fastify) {
    const prefix = fastify.prefix
    // Raw text: the signature is over the bytes as sent, and the stored record embeds them as they are.
    fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: section.maxPayload }, (_req, body, done) => {
      done(null, body)
    })
    fastify.setErrorHandler((err: FastifyError, request, reply) => {
      if ((err.statusCode ?? 500) >= 500 && err.code !== 'SIPUP_ERR_JOBS_UNAVAILABLE') request.log.error({ err }, 'jobs endpoint failed')
      return sendProblem(reply, err, request.url.split('?')[0])
    })
    // Every answer is no-store (errors set it in sendProblem): no shared cache may keep a job's state.

    fastify.post<{ Params: TypeParams, Querystring: EnqueueQuery, Body: string | undefined }>('/:type', { schema: { response: { 202: ENQUEUED } } }, async (request, reply) => {
      const name = request.params.type
      const type = params.types.get(name)
      const raw = typeof request.body === 'string' ? request.body : ''
      const { signature } = authenticate(auth, request.headers, raw, type?.secret ?? params.secret)
      if (type === undefined) throw new SIPUP_ERR_JOBS_UNKNOWN_TYPE(name)
      const payload = parseBody(name, raw)
      const idem = request.headers['idempotency-key']
      const q = request.query
      // Most enqueues carry no options: skip the parser (and its object) for them.
      const opts: EnqueueOptions = idem === undefined && q.priority === undefined && q.delay === undefined && q.runAt === undefined
        ? {}
        : parseEnqueueOptions({ priority: q.priority, delay: q.delay, runAt: q.runAt, idempotencyKey: Array.isArray(idem) ? idem[0] : idem }, now())
      if (signature !== undefined) opts.signature = signature
      const r = await producer.enqueue(name, payload, raw, opts)
      reply.code(202).header('location', prefix + '/' + r.id).header('cache-control', 'no-store')
      if (r.duplicate) reply.header('idempotent-replayed', 'true')
      return r
    })

    // Many jobs of one type in one request, stored all or none; the signature covers the whole body.
    fastify.post<{ Params: TypeParams, Querystring: EnqueueQuery, Body: string | undefined }>('/:type/batch', {
      bodyLimit: section.batch.maxBody,
      schema: { response: { 202: BATCH_ENQUEUED } }
    }, async (request, reply) => {
      const name = request.params.type
      const type = params.types.get(name)
      const raw = typeof request.body === 'string' ? request.body : ''
      const { signature } = authenticate(auth, request.headers, raw, type?.secret ?? params.secret)
      if (type === undefined) throw new SIPUP_ERR_JOBS_UNKNOWN_TYPE(name)
      const body = parseBody(name, raw, true)
      const q = request.query
      const items = parseBatch(name, body, section.batch.maxItems, section.maxPayload, { priority: q.priority, delay: q.delay, runAt: q.runAt }, now())
      const jobs = await producer.enqueueBatch(name, items, signature)
      reply.code(202).header('cache-control', 'no-store')
      return { jobs }
    })

    const findJob = async (request: FastifyRequest<{ Params: IdParams, Body: string | undefined }>) => {
      const job = await store.get(request.params.id)
      const secret = job === null ? params.secret : (params.types.get(job.type)?.secret ?? params.secret)
      authenticate(auth, request.headers, typeof request.body === 'string' ? request.body : '', secret)
      if (job === null) throw new SIPUP_ERR_JOBS_NOT_FOUND(request.params.id)
      return job
    }

    fastify.get<{ Params: IdParams, Body: string | undefined }>('/:id', async (request, reply) => {
      const job = await findJob(request)
      reply.header('cache-control', 'no-store')
      return job
    })

    fastify.delete<{ Params: IdParams, Body: string | undefined }>('/:id', async (request, reply) => {
      const job = await findJob(request)
      await store.cancel(job.id)
      reply.header('cache-control', 'no-store')
      return { id: job.id, status: 'cancelled' }
    })
    // Anything else under the prefix is answered by the core's route group (SIPUP_ERR_ROUTE_NOT_FOUND), never forwarded.
  }
}
