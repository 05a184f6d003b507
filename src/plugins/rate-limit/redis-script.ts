// The one Lua script a batch of requests costs in Redis: for each request, its ban check, every tier's GCRA
// counter and the strike a rejection counts, atomically and in arrival order. A Redis call costs ~20 µs of Node
// CPU however small (encoding, promise, reply parsing), so tiers are never separate commands or a pipeline, and
// the requests that arrive in one event-loop turn share one call (redis-store.ts). Inside Redis each key read or
// write costs a few µs, so the tiers of one id share one key: a MessagePack map `{ name = tat }` (TATs in ms, full
// precision). Redis' C cmsgpack reads and writes it in ~0.4 µs where the text form `name=tat,name=tat` cost ~2.4 µs
// of interpreted Lua (gmatch, tonumber, string.format, concat; measured per request); the text form of earlier
// versions is still read. Mirrors memory-store.ts + gcra.ts.
//
// Every argument costs on both sides (~0.4 µs of Node CPU to encode, measured, and its parsing in Redis), so the
// requests of a batch that have the same shape (bannable or not, and their groups' tiers and units: nearly all of
// them) share its arguments, and the requests' own times and shape numbers go in one binary argument (10 bytes each,
// read by Redis' C struct library: no per-request argument to encode, parse and convert).
// Every redis.call costs ~1-2 µs inside Redis, so a ban is also marked in the client's own counter key
// (`<prefix>k:ip=<client>`, field `!` = the ban's end in ms): a request that has that group (every anonymous one,
// and every one with a per-IP tier) reads its ban with the GET it needs anyway, and asks PTTL of the ban key only when
// the mark is there (the ban key stays the record: listing, lifting, and what a marked ban defers to). Its ban and
// strikes keys are then derived from the counter key, not sent.
// ARGV: tiers T, requests R, strikes that start a ban (0 = bans off), strike period ms, ban ms, shapes S, key
//   prefix, the requests (R × (now ms: float64 LE, shape index: uint16 LE));
//   T × (name, interval ms, window ms, dry run 1/0);
//   S × (bannable 1/0, the group holding the ban mark (0 = none: ban and strikes keys sent), groups G,
//        G × (checks C, C × (tier index, units wanted)));
// KEYS per request: (ban key, strikes key when bans are on, the request is bannable (its client is not in
// `bans.exempt`) and no group holds the mark), then one key per group.
// Returns per request: 1 allowed, or 0 limited then the ban ms this rejection started (0 = none), then per check in
//   group order (granted, remaining, reset ms, and retry ms only when remaining < 1); or -1 banned then the ban's
//   ms left (no checks).
/** Lua shared by both scripts: a counter key's value to a table and back. */
const COUNTERS_LUA = `
local cm_pack, cm_unpack, byte, gmatch, tonumber, pairs = cmsgpack.pack, cmsgpack.unpack, string.byte, string.gmatch, tonumber, pairs
-- A counter key's fields (tier name or '!' for the ban mark, to ms); {} for none. A map starts with a byte >= 0x80;
-- the text form (\`name=tat,...\`, earlier versions) with a letter.
local function decode (raw)
  if not raw then return {} end
  if byte(raw, 1) >= 128 then
    local f = cm_unpack(raw)
    if type(f) == 'table' then return f end
    return {}
  end
  local f = {}
  for name, v in gmatch(raw, '([^=,]+)=([^,]+)') do f[name] = tonumber(v) end
  return f
end
-- The fields still in the future, packed, and the ms the key must live for them (0: none). Drops the others from
-- \`fields\` (assigning nil to a field during pairs is allowed).
local function encode (fields, now)
  local ttl = 0
  for name, at in pairs(fields) do
    if at > now then
      if at - now > ttl then ttl = at - now end
    else
      fields[name] = nil
    end
  end
  return cm_pack(fields), ttl
end
-- Marks a ban until untilMs in a counter key (its TTL becomes at least the ban's).
local function mark (key, untilMs, now)
  local fields = decode(redis.call('GET', key))
  fields['!'] = untilMs
  local v, ttl = encode(fields, now)
  redis.call('SET', key, v, 'PX', math.ceil(ttl))
end
`

export const RATE_LIMIT_LUA = `${COUNTERS_LUA}
local tonumber, floor, ceil, max, min, sub, call =
  tonumber, math.floor, math.ceil, math.max, math.min, string.sub, redis.call
local nt, requests, strikes, ns = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[6])
local prefix, reqs, unpack = ARGV[7], ARGV[8], struct.unpack
local tname, tint, twin, tdry = {}, {}, {}, {}
local a = 9
for t = 1, nt do
  tname[t], tint[t], twin[t], tdry[t] = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3] == '1'
  a = a + 4
end
-- Shapes: sban bannable, smark the group with the ban mark, sng groups, sgc[g] checks of group g, sct / swant the
-- checks' tiers and units in order.
local sban, smark, sng, sgc, sct, swant = {}, {}, {}, {}, {}, {}
for s = 1, ns do
  local ng = tonumber(ARGV[a + 2])
  sban[s], smark[s], sng[s] = ARGV[a] == '1', tonumber(ARGV[a + 1]), ng
  a = a + 3
  local gc, cts, cws, m = {}, {}, {}, 0
  for g = 1, ng do
    local nc = tonumber(ARGV[a])
    gc[g] = nc
    a = a + 1
    for _ = 1, nc do
      m = m + 1
      cts[m], cws[m] = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
      a = a + 2
    end
  end
  sgc[s], sct[s], swant[s] = gc, cts, cws
end
local markAt = #prefix + 6 -- where the client starts in '<prefix>k:ip=<client>'
local out, o, k, r = {}, 0, 1, 1
-- Reused by every request of the batch (n and ng say how much of them is live).
local gkey, gfields, gdirty, ct, cwant, cgroup, ctat, cavail = {}, {}, {}, {}, {}, {}, {}, {}
for _ = 1, requests do
  local now, shape = unpack('<dH', reqs, r)
  r = r + 10
  local bannable, mg, ng, gc, cts, cws = sban[shape], smark[shape], sng[shape], sgc[shape], sct[shape], swant[shape]
  local banKey, strikesKey, markKey, banned = nil, nil, nil, 0
  local marked = nil
  if strikes > 0 and bannable then
    if mg == 0 then
      banKey, strikesKey = KEYS[k], KEYS[k + 1]
      k = k + 2
      markKey = prefix .. 'k:ip=' .. sub(banKey, #prefix + 5)
      local ttl = call('PTTL', banKey)
      if ttl > 0 then banned = ttl end
    else
      markKey = KEYS[k + mg - 1]
      local client = sub(markKey, markAt)
      banKey, strikesKey = prefix .. 'ban:' .. client, prefix .. 'strikes:' .. client
      local fields = decode(call('GET', markKey))
      if fields['!'] then
        local ttl = call('PTTL', banKey)
        if ttl > 0 then banned = ttl else fields['!'] = nil end
      end
      marked = fields
    end
  end
  local n = 0
  local allowed = true
  for g = 1, ng do
    gkey[g] = KEYS[k]
    k = k + 1
    local fields
    if g == mg and marked then
      fields = marked
    else
      if banned == 0 then fields = decode(call('GET', gkey[g])) else fields = {} end
    end
    gfields[g] = fields
    for _ = 1, gc[g] do
      n = n + 1
      local t = cts[n]
      ct[n], cwant[n], cgroup[n] = t, cws[n], g
      local tat = fields[tname[t]] or now
      if tat < now then tat = now end
      local avail = floor((now + twin[t] - tat) / tint[t] + 1e-9)
      ctat[n], cavail[n] = tat, avail
      if avail < 1 and not tdry[t] then allowed = false end
    end
  end
  if banned > 0 then
    out[o + 1], out[o + 2] = -1, banned
    o = o + 2
  else
    local head = o
    if allowed then
      out[o + 1] = 1
      o = o + 1
    else
      out[o + 1], out[o + 2] = 0, 0
      o = o + 2
    end
    for g = 1, ng do gdirty[g] = false end
    for i = 1, n do
      local t, tat, avail = ct[i], ctat[i], cavail[i]
      local granted = 0
      if allowed and avail >= 1 then
        granted = min(cwant[i], avail)
        tat = tat + granted * tint[t]
        gfields[cgroup[i]][tname[t]] = tat
        gdirty[cgroup[i]] = true
      end
      local remaining = max(0, avail - granted)
      out[o + 1], out[o + 2], out[o + 3] = granted, remaining, ceil(tat - now)
      o = o + 3
      if remaining < 1 then
        out[o + 1] = max(0, ceil(tat + tint[t] - twin[t] - now - 1e-9))
        o = o + 1
      end
    end
    for g = 1, ng do
      if gdirty[g] then
        local v, ttl = encode(gfields[g], now)
        call('SET', gkey[g], v, 'PX', ceil(ttl))
      end
    end
    if not allowed and strikesKey then
      local c = call('INCR', strikesKey)
      if c == 1 then call('PEXPIRE', strikesKey, ARGV[4]) end
      if c >= strikes then
        call('SET', banKey, '1', 'PX', ARGV[5])
        call('DEL', strikesKey)
        mark(markKey, now + tonumber(ARGV[5]), now)
        out[head + 2] = tonumber(ARGV[5])
      end
    end
  end
end
return out
`

// A rejection decided locally (counter known to be empty) still counts a strike, shared by every instance; a ban
// it starts is marked in the client's counter key too (see above).
// KEYS[1] ban key, KEYS[2] strikes key, KEYS[3] the client's counter key (`<prefix>k:ip=<client>`); ARGV[1] strikes
// that start a ban, ARGV[2] strike period ms, ARGV[3] ban ms, ARGV[4] now ms.
// Returns { ban ms already in force, ban ms this strike started } (0 = none).
export const STRIKE_LUA = `${COUNTERS_LUA}
local ban = redis.call('PTTL', KEYS[1])
if ban > 0 then return {ban, 0} end
local c = redis.call('INCR', KEYS[2])
if c == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
if c >= tonumber(ARGV[1]) then
  local ms = tonumber(ARGV[3])
  redis.call('SET', KEYS[1], '1', 'PX', ms)
  redis.call('DEL', KEYS[2])
  mark(KEYS[3], tonumber(ARGV[4]) + ms, tonumber(ARGV[4]))
  return {0, ms}
end
return {0, 0}
`
