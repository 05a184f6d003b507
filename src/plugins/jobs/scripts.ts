// The engine's atomic steps, one Lua script each, so a crash or an outage never leaves half a job behind.
// `enqueue` writes a job exactly as bee-queue 2.0.0's own addJob/addDelayedJob scripts do (same hash field, same
// list/zset, same earlierDelayed notice), plus the idempotency and replay bookkeeping, in one step: a job is either
// fully stored with its key, or not at all. test/jobs/bee-queue-format.case.ts holds it to bee-queue's format.
import type { ChainableCommander, Redis } from 'ioredis'

const ENQUEUE = `
local hasIdem = ARGV[4] ~= '0'
local hasSig = ARGV[5] ~= '0'
if hasIdem then
  local existing = redis.call('get', KEYS[6])
  if existing then
    local l = string.sub(existing, 1, 1)
    local h = KEYS[10]
    if l == 'h' then h = KEYS[8] elseif l == 'n' then h = KEYS[9] end
    if redis.call('hexists', h, existing) == 1 then
      if hasSig then redis.call('set', KEYS[7], '1', 'PX', ARGV[5]) end
      return {existing, 'duplicate'}
    end
  end
end
if hasSig and redis.call('exists', KEYS[7]) == 1 then return {'', 'replayed'} end
local id = ARGV[1] .. redis.call('incr', KEYS[1])
redis.call('hset', KEYS[2], id, ARGV[2])
local delay = tonumber(ARGV[3])
local status = 'waiting'
if delay > 0 then
  status = 'delayed'
  redis.call('zadd', KEYS[4], delay, id)
  local head = redis.call('zrange', KEYS[4], 0, 0)
  if head[1] == id then redis.call('publish', KEYS[5], ARGV[3]) end
else
  redis.call('lpush', KEYS[3], id)
end
if hasIdem then redis.call('set', KEYS[6], id, 'PX', ARGV[4]) end
if hasSig then redis.call('set', KEYS[7], '1', 'PX', ARGV[5]) end
return {id, status}
`

// Many jobs in one atomic step (POST <prefix>/<type>/batch): each item as ENQUEUE above, in order, in whichever
// queue its letter names. KEYS: 1 seq, 2 signature, 3-6 high (jobs, waiting, delayed, earlierDelayed), 7-10 normal,
// 11-14 low, then one idempotency key per item (any key when it has none). ARGV: 1 idempotency TTL, 2 signature TTL
// (0 = unsigned), 3 item count, then per item: letter, record, runAt, '1'/'0' has-idempotency-key. A signature
// already used is refused unless every item is a repeat of a stored one (the client's retry of the same batch).
// Returns {id1, status1, id2, status2, ...} with status waiting, delayed or duplicate-waiting/duplicate-delayed.
const ENQUEUE_BATCH = `
local Q = {h = 3, n = 7, l = 11}
local n = tonumber(ARGV[3])
local hasSig = ARGV[2] ~= '0'
local function stored (i)
  if ARGV[4 + (i - 1) * 4 + 3] ~= '1' then return nil end
  local existing = redis.call('get', KEYS[14 + i])
  if not existing then return nil end
  local q = Q[string.sub(existing, 1, 1)]
  if q and redis.call('hexists', KEYS[q], existing) == 1 then return existing, q end
  return nil
end
if hasSig and redis.call('exists', KEYS[2]) == 1 then
  for i = 1, n do
    if not stored(i) then return {'', 'replayed'} end
  end
end
local out = {}
for i = 1, n do
  local b = 4 + (i - 1) * 4
  local existing, eq = stored(i)
  if existing then
    out[#out + 1] = existing
    if redis.call('zscore', KEYS[eq + 2], existing) then out[#out + 1] = 'duplicate-delayed' else out[#out + 1] = 'duplicate-waiting' end
  else
    local letter = ARGV[b]
    local q = Q[letter]
    local id = letter .. redis.call('incr', KEYS[1])
    redis.call('hset', KEYS[q], id, ARGV[b + 1])
    local delay = tonumber(ARGV[b + 2])
    local status = 'waiting'
    if delay > 0 then
      status = 'delayed'
      redis.call('zadd', KEYS[q + 2], delay, id)
      local head = redis.call('zrange', KEYS[q + 2], 0, 0)
      if head[1] == id then redis.call('publish', KEYS[q + 3], ARGV[b + 2]) end
    else
      redis.call('lpush', KEYS[q + 1], id)
    end
    if ARGV[b + 3] == '1' then redis.call('set', KEYS[14 + i], id, 'PX', ARGV[1]) end
    out[#out + 1] = id
    out[#out + 1] = status
  end
end
if hasSig then redis.call('set', KEYS[2], '1', 'PX', ARGV[2]) end
return out
`

const STATUS = `
local id = ARGV[1]
return {
  redis.call('hget', KEYS[1], id),
  redis.call('zscore', KEYS[2], id),
  redis.call('lpos', KEYS[3], id),
  redis.call('hget', KEYS[4], id),
  redis.call('hget', KEYS[5], id),
  redis.call('hget', KEYS[6], id),
  redis.call('zscore', KEYS[7], id),
  redis.call('zscore', KEYS[8], id)
}
`

const CANCEL = `
local id = ARGV[1]
if redis.call('hexists', KEYS[1], id) == 0 then return 'missing' end
if redis.call('lrem', KEYS[2], 0, id) > 0 or redis.call('zrem', KEYS[3], id) > 0 then
  redis.call('hdel', KEYS[1], id)
  redis.call('hdel', KEYS[7], id)
  redis.call('hdel', KEYS[8], id)
  redis.call('hdel', KEYS[9], id)
  return 'cancelled'
end
if redis.call('sismember', KEYS[5], id) == 1 then return 'succeeded' end
if redis.call('sismember', KEYS[6], id) == 1 then return 'failed' end
return 'active'
`

// The caller read the job's data, reset its retry budget in JS (Lua's cjson would turn [] into {} and mangle
// payloads) and passes old and new: the write only happens if nothing changed in between and the job is failed.
const RETRY = `
local id = ARGV[1]
if redis.call('hget', KEYS[1], id) ~= ARGV[2] then return 'changed' end
if redis.call('srem', KEYS[2], id) == 0 then
  redis.call('zrem', KEYS[4], id)
  return 'not_failed'
end
redis.call('hset', KEYS[1], id, ARGV[3])
redis.call('zrem', KEYS[4], id)
redis.call('hdel', KEYS[5], id)
redis.call('hdel', KEYS[6], id)
redis.call('hdel', KEYS[7], id)
redis.call('lpush', KEYS[3], id)
return 'ok'
`

// bee-queue's removeJob plus the engine's indexes.
const REMOVE = `
local id = ARGV[1]
if (redis.call('sismember', KEYS[2], id) + redis.call('sismember', KEYS[3], id)) == 0 then
  redis.call('lrem', KEYS[4], 0, id)
  redis.call('lrem', KEYS[5], 0, id)
end
redis.call('srem', KEYS[2], id)
redis.call('srem', KEYS[3], id)
redis.call('srem', KEYS[6], id)
redis.call('zrem', KEYS[7], id)
redis.call('zrem', KEYS[11], id)
redis.call('zrem', KEYS[12], id)
redis.call('hdel', KEYS[8], id)
redis.call('hdel', KEYS[9], id)
redis.call('hdel', KEYS[10], id)
return redis.call('hdel', KEYS[1], id)
`

// GCRA on the server's clock (every worker agrees on it): 0 = go now, else ms to wait. Allows a burst of `limit`.
const RATE = `
local t = redis.call('time')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local tat = tonumber(redis.call('get', KEYS[1]) or now)
if tat < now then tat = now end
local allowAt = tat - (window - interval)
if now < allowAt then return allowAt - now end
redis.call('set', KEYS[1], tat + interval, 'PX', math.ceil(tat + interval - now) + 1)
return 0
`

export interface JobsRedis extends Redis {
  sipupEnqueue(...args: (string | number)[]): Promise<[string, 'waiting' | 'delayed' | 'duplicate' | 'replayed']>
  /** First argument: the number of keys (14 + items). */
  sipupEnqueueBatch(...args: (string | number)[]): Promise<string[]>
  sipupStatus(...args: string[]): Promise<(string | number | null)[]>
  sipupCancel(...args: string[]): Promise<'missing' | 'cancelled' | 'succeeded' | 'failed' | 'active'>
  sipupRetry(...args: string[]): Promise<'changed' | 'not_failed' | 'ok'>
  sipupRemove(...args: string[]): Promise<number>
  sipupRate(...args: (string | number)[]): Promise<number>
  pipeline(): ChainableCommander & { sipupRemove(...args: string[]): ChainableCommander }
}

/** Defines the scripts on a connection (EVALSHA, falling back to EVAL once per connection). */
export function defineScripts (client: Redis): JobsRedis {
  client.defineCommand('sipupEnqueue', { numberOfKeys: 10, lua: ENQUEUE })
  client.defineCommand('sipupEnqueueBatch', { lua: ENQUEUE_BATCH })
  client.defineCommand('sipupStatus', { numberOfKeys: 8, lua: STATUS })
  client.defineCommand('sipupCancel', { numberOfKeys: 9, lua: CANCEL })
  client.defineCommand('sipupRetry', { numberOfKeys: 7, lua: RETRY })
  client.defineCommand('sipupRemove', { numberOfKeys: 12, lua: REMOVE })
  client.defineCommand('sipupRate', { numberOfKeys: 1, lua: RATE })
  return client as JobsRedis
}
