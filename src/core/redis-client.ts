// The type of the shared Redis connection, in a module of its own: the services that take a client (fleet locks,
// stores, scans) import it without importing the container's types, which import them.
import type { Cluster, Redis } from 'ioredis'

/** The shared connection: one server (standalone or the master a Sentinel names) or a Redis Cluster. */
export type RedisClient = Redis | Cluster
