// Mounts the plugins' route groups (e.g. the job endpoint): one encapsulated scope per group under its prefix, with
// the plugins' group hooks (rate limit, metrics) in their declared order, then the group's own authentication in
// preValidation, its routes, problem-details errors and a 404 for everything else under the prefix. None of the
// proxy route's hooks run here: nothing is cached or forwarded.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { SIPUP_ERR_ROUTE_NOT_FOUND } from '../errors.js'
import { answerErrorsAsProblems, answerUnknownPaths } from './scope-guards.js'
import type { HookSet } from './sidecar.js'
import { sendResponseHeaders } from './response-headers.js'
import type { RouteGroup, RouteGroupHookHandlers, RouteGroupHookPhase } from './types.js'

export interface RouteGroupsOptions {
  groups: readonly RouteGroup[]
  hooks: HookSet<RouteGroupHookHandlers>
}

function addHooks (scope: FastifyInstance, hooks: HookSet<RouteGroupHookHandlers>): void {
  for (const phase of Object.keys(hooks) as RouteGroupHookPhase[]) {
    // Each list is typed by its phase; Fastify's addHook overloads can't follow a phase held in a variable.
    for (const hook of hooks[phase] ?? []) scope.addHook(phase as 'onRequest', hook as RouteGroupHookHandlers['onRequest'])
  }
}

function mountGroup (group: RouteGroup, hooks: HookSet<RouteGroupHookHandlers>): FastifyPluginAsync {
  return async function routeGroup (scope) {
    scope.addHook('onRoute', route => {
      route.config = { ...route.config, sidecarRoute: group.name }
      route.bodyLimit ??= group.bodyLimit
    })
    addHooks(scope, hooks)
    // The group limiter's RateLimit fields (RequestState.setResponseHeader) on every answer of the group.
    scope.addHook('onSend', sendResponseHeaders)
    scope.addHook('preValidation', async request => { await group.authenticate(request) })
    answerErrorsAsProblems(scope, group.name)
    await scope.register(group.routes)
    answerUnknownPaths(scope, group.prefix, SIPUP_ERR_ROUTE_NOT_FOUND)
  }
}

export const routeGroupsPlugin: FastifyPluginAsync<RouteGroupsOptions> = async (fastify, { groups, hooks }) => {
  for (const group of groups) await fastify.register(mountGroup(group, hooks), { prefix: group.prefix })
}
