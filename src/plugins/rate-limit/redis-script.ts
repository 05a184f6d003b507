// The one Lua script a batch of requests costs in Redis: for each request, its ban check, every tier's GCRA
// counter and the strike a rejection counts, atomically and in arrival order. A Redis call costs ~20 µs of Node
// CPU however small (encoding, promise, reply parsing), so tiers are never separate commands or a pipeline, and
// the requests that arrive in one event-loop turn share one call (redis-store.ts). Inside Redis each key read or
// write costs a few µs, so the tiers of one id share one key: `name=tat,name=tat` (TATs in ms, full precision).
// Mirrors memory-store.ts + gcra.ts.
//
// Every argument costs on both sides (~0.4 µs of Node CPU to encode, measured, and its parsing in Redis), so the
// requests of a batch that have the same shape (bannable or not, and their groups' tiers and units: nearly all of
// them) share its arguments, and each request sends only its time and its shape's number.
// ARGV: tiers T, requests R, strikes that start a ban (0 = bans off), strike period ms, ban ms, shapes S;
//   T × (name, interval ms, window ms, dry run 1/0);
//   S × (bannable 1/0, groups G, G × (checks C, C × (tier index, units wanted)));
//   R × (now ms, shape index).
// KEYS per request: (ban key, strikes key when bans are on and the request is bannable, i.e. its client is not in
// `bans.exempt`), then one key per group.
// Returns per request: allowed 1/0 (-1 banned), ban ms (in force, or started by this rejection), checks n,
//   then n × (granted, remaining, reset ms, retry ms), in group order.
export const RATE_LIMIT_LUA = `
local tonumber, floor, ceil, max, min, format, gmatch, concat, pairs, call =
  tonumber, math.floor, math.ceil, math.max, math.min, string.format, string.gmatch, table.concat, pairs, redis.call
local nt, requests, strikes, ns = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[6])
local tname, tint, twin, tdry = {}, {}, {}, {}
local a = 7
for t = 1, nt do
  tname[t], tint[t], twin[t], tdry[t] = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3] == '1'
  a = a + 4
end
-- Shapes: sban bannable, sng groups, sgc[g] checks of group g, sct / swant the checks' tiers and units in order.
local sban, sng, sgc, sct, swant = {}, {}, {}, {}, {}
for s = 1, ns do
  local ng = tonumber(ARGV[a + 1])
  sban[s], sng[s] = ARGV[a] == '1', ng
  a = a + 2
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
local out, o, k = {}, 0, 1
-- Reused by every request of the batch (n and ng say how much of them is live).
local gkey, gfields, gdirty, ct, cwant, cgroup, ctat, cavail = {}, {}, {}, {}, {}, {}, {}, {}
for _ = 1, requests do
  local now, shape = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  a = a + 2
  local bannable, ng, gc, cts, cws = sban[shape], sng[shape], sgc[shape], sct[shape], swant[shape]
  local banKey, strikesKey, banned = nil, nil, 0
  if strikes > 0 and bannable then
    banKey, strikesKey = KEYS[k], KEYS[k + 1]
    k = k + 2
    local ttl = call('PTTL', banKey)
    if ttl > 0 then banned = ttl end
  end
  local n = 0
  local allowed = true
  for g = 1, ng do
    local fields = {}
    gkey[g] = KEYS[k]
    k = k + 1
    if banned == 0 then
      local raw = call('GET', gkey[g])
      if raw then
        for name, v in gmatch(raw, '([^=,]+)=([^,]+)') do fields[name] = tonumber(v) end
      end
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
    out[o + 1], out[o + 2], out[o + 3] = -1, banned, 0
    o = o + 3
  else
    local head = o
    out[o + 1], out[o + 2], out[o + 3] = allowed and 1 or 0, 0, n
    o = o + 3
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
      local retry = 0
      if remaining < 1 then retry = max(0, ceil(tat + tint[t] - twin[t] - now - 1e-9)) end
      out[o + 1], out[o + 2], out[o + 3], out[o + 4] = granted, remaining, ceil(tat - now), retry
      o = o + 4
    end
    for g = 1, ng do
      if gdirty[g] then
        local parts, ttl = {}, 0
        for name, tat in pairs(gfields[g]) do
          if tat > now then
            parts[#parts + 1] = name .. '=' .. format('%.17g', tat)
            if tat - now > ttl then ttl = tat - now end
          end
        end
        call('SET', gkey[g], concat(parts, ','), 'PX', ceil(ttl))
      end
    end
    if not allowed and strikesKey then
      local c = call('INCR', strikesKey)
      if c == 1 then call('PEXPIRE', strikesKey, ARGV[4]) end
      if c >= strikes then
        call('SET', banKey, '1', 'PX', ARGV[5])
        call('DEL', strikesKey)
        out[head + 2] = tonumber(ARGV[5])
      end
    end
  end
end
return out
`

// A rejection decided locally (counter known to be empty) still counts a strike, shared by every instance.
// KEYS[1] ban key, KEYS[2] strikes key; ARGV[1] strikes that start a ban, ARGV[2] strike period ms, ARGV[3] ban ms.
// Returns { ban ms already in force, ban ms this strike started } (0 = none).
export const STRIKE_LUA = `
local ban = redis.call('PTTL', KEYS[1])
if ban > 0 then return {ban, 0} end
local c = redis.call('INCR', KEYS[2])
if c == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
if c >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[3])
  redis.call('DEL', KEYS[2])
  return {0, tonumber(ARGV[3])}
end
return {0, 0}
`
