// One pino logger for the process (JSON lines on stdout), handed to Fastify.
import { pino, type Logger } from 'pino'
import type { FrozenConfig } from './config/schema.js'

export function createLogger (config: FrozenConfig['log']): Logger {
  return pino({
    level: config.level,
    base: { name: 'sipup-sidecar' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'], censor: '[redacted]' }
  })
}
