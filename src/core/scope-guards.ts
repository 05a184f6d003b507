// What every prefixed scope the core mounts (the admin, each route group) needs so nothing under its prefix leaks
// to the proxy route: an error handler answering problem details, and a 404 for every path and method the scope
// has no route for (the proxy's catch-all `/*` would otherwise forward them to the origin).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify'
import { problem, problemFromError, sendProblem, type CodedErrorClass } from './problem.js'

export interface ErrorAnswerOptions {
  /** Show the message of the sidecar's own coded 5xx errors (a dependency down: "DB unreachable..."), for a scope
   * only operators reach (the admin). Uncoded errors never are. @default false */
  operatorDetail?: boolean
}

/** Problem details for every error thrown in the scope; 5xx are logged, and described only per `opts`. */
export function answerErrorsAsProblems (scope: FastifyInstance, what: string, opts: ErrorAnswerOptions = {}): void {
  scope.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let p = problemFromError(err)
    if (opts.operatorDetail === true && p.status > 500 && p.code === err.code) p = { ...p, detail: err.message }
    if (p.status >= 500) request.log.error({ reqId: request.id, err }, `${what} request failed`)
    return sendProblem(reply, p, { json: true })
  })
}

/** Call after the scope's own routes are registered. */
export function answerUnknownPaths (scope: FastifyInstance, prefix: string, error: CodedErrorClass): void {
  const notFound = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> =>
    sendProblem(reply, problem(error, `no route ${request.method} ${request.url.split('?')[0]}`), { json: true })
  // The bare prefix (`/_jobs`) is not matched by `/_jobs/*`: cover it per method the scope doesn't serve itself.
  for (const method of scope.supportedMethods as HTTPMethods[]) {
    if (!scope.hasRoute({ method, url: prefix }) && !scope.hasRoute({ method, url: `${prefix}/` })) {
      scope.route({ method, url: '/', handler: notFound })
    }
  }
  scope.all('/*', notFound)
}
