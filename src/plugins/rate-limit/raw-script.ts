// A Lua script called with command bytes written here rather than by ioredis. Its Command flattens the arguments,
// converts each one, and writes each as a separate piece (string or Buffer) that is copied into the socket's buffer;
// its script wrapper adds a promise per call; a batch of 64 requests is ~80 arguments. One pass over the arguments
// into one Buffer instead is what the rate limiter's call needs, and only that: ioredis still does the connection,
// the reply parsing, the Cluster routing (by the first key, which is what the command's arguments carry for it) and
// `redis.commandTimeout` (through the client's sendCommand).
import { createHash } from 'node:crypto'
import { Command } from 'ioredis'
import type { RedisClient } from '../../core/types.js'

export type ScriptArg = string | number | Buffer

/** A command already in RESP bytes. Its `args` are only what ioredis reads besides the bytes (the key for routing). */
class WrittenCommand extends Command {
  readonly #bytes: Buffer

  constructor (name: string, routing: string[], bytes: Buffer) {
    super(name, routing)
    this.#bytes = bytes
  }

  override toWritable (_socket: object): Buffer {
    return this.#bytes
  }
}

export class RawScript {
  readonly #lua: string
  readonly #sha: string

  constructor (lua: string) {
    this.#lua = lua
    this.#sha = createHash('sha1').update(lua).digest('hex')
  }

  /** EVALSHA, and EVAL once when the server doesn't know the script (restarted, or a new Cluster master). Replies
   * come as Buffers. */
  call (client: RedisClient, keys: readonly string[], args: readonly ScriptArg[]): Promise<Buffer> {
    return this.#send(client, 'evalsha', this.#sha, keys, args).catch((err: Error) => {
      if (!err.message.includes('NOSCRIPT')) throw err
      return this.#send(client, 'eval', this.#lua, keys, args)
    })
  }

  #send (client: RedisClient, name: 'evalsha' | 'eval', body: string, keys: readonly string[],
    args: readonly ScriptArg[]): Promise<Buffer> {
    const routing = keys.length > 0 ? [this.#sha, '1', keys[0]] : [this.#sha, '0']
    const command = new WrittenCommand(name, routing, encode(name, body, keys, args))
    void client.sendCommand(command)
    return command.promise as Promise<Buffer>
  }
}

/** `name body numkeys keys... args...` in RESP: runs of text as one string each (one UTF-8 write), Buffers copied. */
function encode (name: string, body: string, keys: readonly string[], args: readonly ScriptArg[]): Buffer {
  const texts: string[] = []
  const buffers: Buffer[] = []
  let text = `*${3 + keys.length + args.length}\r\n$${name.length}\r\n${name}\r\n`
  text += bulk(body) + bulk(String(keys.length))
  for (let i = 0; i < keys.length; i++) text += bulk(keys[i])
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (typeof a === 'string') text += bulk(a)
    else if (typeof a === 'number') text += bulk(String(a))
    else {
      texts.push(`${text}$${a.length}\r\n`)
      buffers.push(a)
      text = '\r\n'
    }
  }
  texts.push(text)
  let size = 0
  for (let i = 0; i < texts.length; i++) size += Buffer.byteLength(texts[i])
  for (let i = 0; i < buffers.length; i++) size += buffers[i].length
  const out = Buffer.allocUnsafe(size)
  let at = 0
  for (let i = 0; i < texts.length; i++) {
    at += out.write(texts[i], at, 'utf8')
    if (i < buffers.length) at += buffers[i].copy(out, at)
  }
  return out
}

function bulk (s: string): string {
  return `$${Buffer.byteLength(s)}\r\n${s}\r\n`
}
