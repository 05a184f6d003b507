// `redis.commandTimeout`, measured so that the process's own stalls don't count as a Redis outage. ioredis' own
// commandTimeout is a plain timer: when the event loop was blocked longer than the timeout (a GC pause, a CPU-starved
// host), the timers phase runs before the poll phase that would read the reply already waiting in the socket, so
// the command is failed although Redis answered in time. The rate limiter then treated a healthy Redis as down and
// admitted requests from per-instance memory on top of what Redis had counted (51 of a limit of 50 under load,
// issue 12). Here the timer only arms a check that runs after the next poll phase (setImmediate): a reply that has
// arrived is read first, and only a command still unanswered then is failed.
import type { Cluster, Command, Redis } from 'ioredis'

/** The error a timed-out command rejects with (the message ioredis uses for its own timeout). */
export const COMMAND_TIMED_OUT = 'Command timed out'

function failIfUnanswered (command: Command): void {
  if (!command.isResolved) command.reject(new Error(COMMAND_TIMED_OUT))
}

function checkAfterPoll (command: Command): void {
  setImmediate(failIfUnanswered, command)
}

interface Sender {
  readonly status: string
  sendCommand (command: Command, ...rest: unknown[]): unknown
}

/** Bounds every command `client` sends to `ms` (0 = unbounded). Pass `commandTimeout: undefined` to ioredis itself. */
export function boundCommands (target: Redis | Cluster, ms: number): void {
  if (ms <= 0) return
  const client = target as unknown as Sender
  const send = client.sendCommand.bind(client)
  client.sendCommand = function boundedSend (command: Command, ...rest: unknown[]) {
    // A command queued while the connection is still being made (a subscriber's SUBSCRIBE, a duplicate's first
    // commands) waits for the connection, which connectTimeout bounds; the reply timeout starts once it can be sent.
    if (client.status !== 'ready') return send(command, ...rest)
    const timer = setTimeout(checkAfterPoll, ms, command)
    const clear = (): void => { clearTimeout(timer) }
    command.promise.then(clear, clear)
    return send(command, ...rest)
  }
}
