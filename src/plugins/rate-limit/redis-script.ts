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
//   prefix, the requests (R × (now ms: float64 LE, shape index: uint16 LE, fresh: uint8));
//   T × (name, interval ms, window ms, dry run 1/0);
//   S × (bannable 1/0, the group holding the ban mark (0 = none: ban and strikes keys sent), groups G,
//        G × (checks C, C × (tier index, units wanted)));
// KEYS per request: (ban key, strikes key when bans are on, the request is bannable (its client is not in
// `bans.exempt`) and no group holds the mark), then one key per group.
// Returns one binary string, per request: a status byte, 1 allowed or 0 limited (then float64 LE: the ban ms this
//   rejection started, 0 = none) then per check in group order the TAT it saw (its counter's, or now when that is
//   past), float64 LE; or 2 banned then the ban's ms left (float64 LE, no checks). Granted, remaining, reset and
//   retry follow from the TAT by the same GCRA arithmetic, so redis-store.ts computes them: a Lua table of ~7
//   numbers per request, converted one by one into the reply and parsed one by one by ioredis, cost more on both
//   sides than one struct.pack per request and a Buffer read per check.
// A counter's TTL is rounded up to whole seconds (a counter at or before now reads as absent anyway), so the PX
// arguments of a batch are a few strings formatted once: a Lua number argument costs Redis an snprintf per call.
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
local tonumber, floor, ceil, sub, call, tostring, rep =
  tonumber, math.floor, math.ceil, string.sub, redis.call, tostring, string.rep
local nt, requests, strikes, ns = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[6])
local prefix, reqs, sunpack, spack, spread = ARGV[7], ARGV[8], struct.unpack, struct.pack, unpack
local tname, tint, twin, tdry = {}, {}, {}, {}
local a = 9
for t = 1, nt do
  tname[t], tint[t], twin[t], tdry[t] = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3] == '1'
  a = a + 4
end
-- Shapes: sban bannable, smark the group with the ban mark, sng groups, sgc[g] checks of group g, sct / swant the
-- checks' tiers and units in order, sok / sno the reply's format for an allowed / a limited request.
local sban, smark, sng, sgc, sct, swant, sok, sno = {}, {}, {}, {}, {}, {}, {}, {}
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
  sgc[s], sct[s], swant[s], sok[s], sno[s] = gc, cts, cws, '<B' .. rep('d', m), '<Bd' .. rep('d', m)
end
local markAt = #prefix + 6 -- where the client starts in '<prefix>k:ip=<client>'
-- Every key of the batch read in one MGET (a redis.call costs ~3,500 instructions besides its command: argument
-- and reply conversion, the call's checks and bookkeeping; MGET's are paid once), ban and strikes keys too (fewer
-- instructions than leaving them out); false for a missing key. A request whose key an earlier request of the batch
-- may have written (\`fresh\` = 1, marked by redis-store.ts) reads its groups with GET instead.
local vals = {}
if #KEYS > 0 then vals = call('MGET', spread(KEYS)) end
local out, k, r = {}, 1, 1
-- Reused by every request of the batch: each group's fields, each check's TAT; PX arguments by whole seconds.
local gfields, ctat, pxs = {}, {}, {}
for q = 1, requests do
  local now, shape, fresh = sunpack('<dHB', reqs, r)
  r = r + 11
  local mg, ng, gc, cts = smark[shape], sng[shape], sgc[shape], sct[shape]
  local bannable = strikes > 0 and sban[shape]
  local banKey, strikesKey, markKey, marked, banned = nil, nil, nil, nil, 0
  if bannable then
    if mg == 0 then
      banKey, strikesKey = KEYS[k], KEYS[k + 1]
      k = k + 2
      local ttl = call('PTTL', banKey)
      if ttl > 0 then banned = ttl end
    else
      markKey = KEYS[k + mg - 1]
      local fields
      if fresh == 1 then fields = decode(call('GET', markKey)) else fields = decode(vals[k + mg - 1]) end
      if fields['!'] then
        banKey = prefix .. 'ban:' .. sub(markKey, markAt)
        local ttl = call('PTTL', banKey)
        if ttl > 0 then banned = ttl else fields['!'] = nil end
      end
      marked = fields
    end
  end
  if banned > 0 then
    out[q] = spack('<Bd', 2, banned)
  else
    local allowed, n = true, 0
    for g = 1, ng do
      local fields
      if g == mg and marked then
        fields = marked
      elseif fresh == 1 then
        fields = decode(call('GET', KEYS[k + g - 1]))
      else
        fields = decode(vals[k + g - 1])
      end
      gfields[g] = fields
      for _ = 1, gc[g] do
        n = n + 1
        local t = cts[n]
        local tat = fields[tname[t]] or now
        if tat < now then tat = now end
        ctat[n] = tat
        if allowed and not tdry[t] and floor((now + twin[t] - tat) / tint[t] + 1e-9) < 1 then allowed = false end
      end
    end
    if allowed then
      local cws = swant[shape]
      n = 0
      for g = 1, ng do
        local fields, dirty = gfields[g], false
        for _ = 1, gc[g] do
          n = n + 1
          local t, tat = cts[n], ctat[n]
          local iv = tint[t]
          local avail = floor((now + twin[t] - tat) / iv + 1e-9)
          if avail >= 1 then
            local w = cws[n]
            if w > avail then w = avail end
            fields[tname[t]] = tat + w * iv
            dirty = true
          end
        end
        if dirty then
          local v, ttl = encode(fields, now)
          local sec = ceil(ttl / 1000)
          local px = pxs[sec]
          if not px then
            px = tostring(sec * 1000)
            pxs[sec] = px
          end
          call('SET', KEYS[k + g - 1], v, 'PX', px)
        end
      end
      out[q] = spack(sok[shape], 1, spread(ctat, 1, n))
    else
      local started = 0
      if bannable then
        if mg == 0 then
          markKey = prefix .. 'k:ip=' .. sub(banKey, #prefix + 5)
        else
          local client = sub(markKey, markAt)
          banKey, strikesKey = prefix .. 'ban:' .. client, prefix .. 'strikes:' .. client
        end
        local c = call('INCR', strikesKey)
        if c == 1 then call('PEXPIRE', strikesKey, ARGV[4]) end
        if c >= strikes then
          started = tonumber(ARGV[5])
          call('SET', banKey, '1', 'PX', ARGV[5])
          call('DEL', strikesKey)
          mark(markKey, now + started, now)
        end
      end
      out[q] = spack(sno[shape], 0, started, spread(ctat, 1, n))
    end
  end
  k = k + ng
end
return table.concat(out)
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
