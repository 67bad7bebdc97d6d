// Lua scripts of the Redis cache store. Each runs atomically and reads the epoch itself, so a fill
// or an update can never land in an epoch other than the one it checked. Keys are composed in the
// scripts (`<base>:e<epoch>`, lists in `<base>:e<epoch>:z`): this needs a single Redis node (or a
// proxy that routes by hash tag), not Redis Cluster.
//
// Entry hash fields: d = value, v = version (unique, from graph:clock), p = writes announced.

import { BLOCKS_MANY } from './graph-cache.store';

const PRELUDE = `
local epoch = redis.call('GET', 'graph:epoch') or '0'
local function tick() return tostring(redis.call('INCR', 'graph:clock')) end
local function pending(base) return tonumber(redis.call('HGET', base, 'p') or '0') end
-- a fresh version record for a miss, so a ticket can never be confused with an older one
local function version(base, v, ttl)
  if not v then
    v = tick()
    redis.call('HSET', base, 'v', v)
    redis.call('PEXPIRE', base, ttl)
  end
  return v
end
`;

/** blockSetHolds (graph-cache.store.ts) in Lua: 'yes' | 'no' | 'many' for a cached block set value. */
const BLOCK_SET_HOLDS = `
local function block_set_holds(d, viewer)
  if d == '${BLOCKS_MANY}' then return 'many' end
  if string.find(d, ',' .. viewer .. ',', 1, true) then return 'yes' end
  return 'no'
end
`;

/** ARGV: placeholderTtlMs, key... → epoch, then per key: value ('' on a miss), ticket ('' when none). */
export const READ_ENTRIES = `${PRELUDE}
local out = {epoch}
for i = 2, #ARGV do
  local base = ARGV[i] .. ':e' .. epoch
  local r = redis.call('HMGET', base, 'd', 'v', 'p')
  if r[1] then
    out[#out + 1] = r[1]
    out[#out + 1] = ''
  else
    local v = version(base, r[2], ARGV[1])
    out[#out + 1] = ''
    if tonumber(r[3] or '0') > 0 then out[#out + 1] = '' else out[#out + 1] = v end
  end
end
return out`;

/** ARGV: epoch, then (key, ticket, value, ttlMs)... → number stored. */
export const FILL_ENTRIES = `${PRELUDE}
if epoch ~= ARGV[1] then return 0 end
local n = 0
for i = 2, #ARGV, 4 do
  local base = ARGV[i] .. ':e' .. epoch
  local r = redis.call('HMGET', base, 'v', 'p')
  if r[1] == ARGV[i + 1] and tonumber(r[2] or '0') == 0 then
    redis.call('HSET', base, 'd', ARGV[i + 2])
    redis.call('PEXPIRE', base, ARGV[i + 3])
    n = n + 1
  end
end
return n`;

/** ARGV: placeholderTtlMs, key, after ('' = from the newest), count → {epoch, 'hit', members...} or {epoch, 'miss', ticket}. */
export const READ_LIST = `${PRELUDE}
local base = ARGV[2] .. ':e' .. epoch
local z = base .. ':z'
if redis.call('EXISTS', z) == 1 then
  local max = '+'
  if ARGV[3] ~= '' then max = '(' .. ARGV[3] end
  local r = redis.call('ZREVRANGEBYLEX', z, max, '-', 'LIMIT', 0, tonumber(ARGV[4]))
  table.insert(r, 1, 'hit')
  table.insert(r, 1, epoch)
  return r
end
local r = redis.call('HMGET', base, 'v', 'p')
local v = version(base, r[1], ARGV[1])
if tonumber(r[2] or '0') > 0 then v = '' end
return {epoch, 'miss', v}`;

/**
 * One list page's entries (GraphCacheStore.readListPage) in one call.
 * ARGV: placeholderTtlMs, listKey, statsKey, settingsKey ('' = none), blocksKey ('' = none), viewerId, after, count
 * → {epoch, settings, settingsTicket, blocked ('yes'|'no'|'many'|'' on a miss), blocksTicket, stats, statsTicket,
 *    'hit', '', members... | 'miss', listTicket}; a value '' is a miss.
 */
export const READ_LIST_PAGE = `${PRELUDE}${BLOCK_SET_HOLDS}
local function entry(key)
  local base = key .. ':e' .. epoch
  local r = redis.call('HMGET', base, 'd', 'v', 'p')
  if r[1] then return r[1], '' end
  local v = version(base, r[2], ARGV[1])
  if tonumber(r[3] or '0') > 0 then v = '' end
  return '', v
end
local sv, st = '0', ''
if ARGV[4] ~= '' then sv, st = entry(ARGV[4]) end
local bv, bt = 'no', ''
if ARGV[5] ~= '' then
  local d
  d, bt = entry(ARGV[5])
  if d == '' then bv = '' else bv = block_set_holds(d, ARGV[6]) end
end
local cv, ct = entry(ARGV[3])
local out = {epoch, sv, st, bv, bt, cv, ct}
local base = ARGV[2] .. ':e' .. epoch
local z = base .. ':z'
if redis.call('EXISTS', z) == 1 then
  local max = '+'
  if ARGV[7] ~= '' then max = '(' .. ARGV[7] end
  out[8] = 'hit'
  out[9] = ''
  for _, m in ipairs(redis.call('ZREVRANGEBYLEX', z, max, '-', 'LIMIT', 0, tonumber(ARGV[8]))) do out[#out + 1] = m end
  return out
end
local r = redis.call('HMGET', base, 'v', 'p')
local v = version(base, r[1], ARGV[1])
if tonumber(r[2] or '0') > 0 then v = '' end
out[8] = 'miss'
out[9] = v
return out`;

/** `<list version>:<stats version>` of a rendered page's sources, '' while a write is announced on either. */
const RENDER_STAMP = `
local function stamp(list, stats, create)
  local l = redis.call('HMGET', list .. ':e' .. epoch, 'v', 'p')
  local s = redis.call('HMGET', stats .. ':e' .. epoch, 'v', 'p')
  if tonumber(l[2] or '0') > 0 or tonumber(s[2] or '0') > 0 then return '' end
  if create then return version(list .. ':e' .. epoch, l[1], ARGV[1]) .. ':' .. version(stats .. ':e' .. epoch, s[1], ARGV[1]) end
  if not l[1] or not s[1] then return '' end
  return l[1] .. ':' .. s[1]
end
`;

/**
 * A rendered page for one viewer (GraphCacheStore.readRenderedPage).
 * ARGV: placeholderTtlMs, pageKey, listKey, statsKey, settingsKey ('' = none), blocksKey ('' = none), viewerId
 * → {'hit', body} or {'miss', epoch, stamp ('' = none)}.
 */
export const READ_RENDERED_PAGE = `${PRELUDE}${BLOCK_SET_HOLDS}${RENDER_STAMP}
local now = stamp(ARGV[3], ARGV[4], true)
local open = now ~= ''
if open and ARGV[5] ~= '' then open = redis.call('HGET', ARGV[5] .. ':e' .. epoch, 'd') == '0' end
if open and ARGV[6] ~= '' then
  local d = redis.call('HGET', ARGV[6] .. ':e' .. epoch, 'd')
  open = d and block_set_holds(d, ARGV[7]) == 'no'
end
if open then
  local page = redis.call('HMGET', ARGV[2] .. ':e' .. epoch, 'd', 's')
  if page[1] and page[2] == now then return {'hit', page[1]} end
end
return {'miss', epoch, now}`;

/** ARGV: epoch, pageKey, listKey, statsKey, stamp, body, ttlMs → 1 when stored. */
export const FILL_RENDERED_PAGE = `${PRELUDE}${RENDER_STAMP}
if epoch ~= ARGV[1] or stamp(ARGV[3], ARGV[4], false) ~= ARGV[5] then return 0 end
local base = ARGV[2] .. ':e' .. epoch
redis.call('HSET', base, 'd', ARGV[6], 's', ARGV[5])
redis.call('PEXPIRE', base, ARGV[7])
return 1`;

/** ARGV: epoch, key, ticket, ttlMs, complete ('1'/'0'), member... → 1 when stored. */
export const FILL_LIST = `${PRELUDE}
if epoch ~= ARGV[1] then return 0 end
local base = ARGV[2] .. ':e' .. epoch
local r = redis.call('HMGET', base, 'v', 'p')
if r[1] ~= ARGV[3] or tonumber(r[2] or '0') ~= 0 then return 0 end
local z = base .. ':z'
redis.call('DEL', z)
local args = {}
for i = 6, #ARGV do
  args[#args + 1] = 0
  args[#args + 1] = ARGV[i]
  if #args >= 400 then
    redis.call('ZADD', z, unpack(args))
    args = {}
  end
end
if ARGV[5] == '1' then
  args[#args + 1] = 0
  args[#args + 1] = '!'
end
if #args > 0 then redis.call('ZADD', z, unpack(args)) end
if redis.call('EXISTS', z) == 1 then redis.call('PEXPIRE', z, ARGV[4]) end
return 1`;

/** ARGV: pendingTtlMs, key... → the epoch the write was announced in. */
export const BEGIN_WRITE = `${PRELUDE}
for i = 2, #ARGV do
  local base = ARGV[i] .. ':e' .. epoch
  redis.call('HINCRBY', base, 'p', 1)
  redis.call('HSET', base, 'v', tick())
  if redis.call('PTTL', base) < tonumber(ARGV[1]) then redis.call('PEXPIRE', base, ARGV[1]) end
end
return epoch`;

const DROP = `
local function drop(base, ttl)
  redis.call('DEL', base .. ':z')
  local p = redis.call('HGET', base, 'p')
  redis.call('DEL', base)
  redis.call('HSET', base, 'v', tick())
  if p then redis.call('HSET', base, 'p', p) end
  redis.call('PEXPIRE', base, ttl)
end
`;

/**
 * ARGV: announcedEpoch ('' = not announced), placeholderTtlMs, listWindow, ops (JSON), announced keys (JSON).
 * Ops: {k, o='drop'} | {k, o='stats', d={f,g,p}, x=dropIfPending} | {k, o='zadd', m, g=guard} | {k, o='zrem', u=paddedId, g=guard}.
 */
export const FINISH_WRITE = `${PRELUDE}${DROP}
local counted = ARGV[1] == epoch
local ttl = ARGV[2]
local window = tonumber(ARGV[3])
for _, op in ipairs(cjson.decode(ARGV[4])) do
  local base = op.k .. ':e' .. epoch
  local kind = op.o
  -- in place only while this write's own announcement stands, else the safe answer is to drop
  if not counted or pending(base) < 1 then kind = 'drop' end
  if (kind == 'zadd' or kind == 'zrem') and pending(op.g .. ':e' .. epoch) ~= 1 then kind = 'drop' end
  if kind == 'drop' then
    drop(base, ttl)
  elseif kind == 'stats' then
    local d = redis.call('HGET', base, 'd')
    if d then
      local f, g, p = string.match(d, '^(-?%d+):(-?%d+):(-?%d+)$')
      f, g, p = tonumber(f), tonumber(g), tonumber(p)
      if op.x and p ~= 0 then
        drop(base, ttl)
      else
        redis.call('HSET', base, 'd', string.format('%d:%d:%d', f + op.d[1], g + op.d[2], p + op.d[3]))
      end
    end
  elseif kind == 'zadd' then
    local z = base .. ':z'
    if redis.call('EXISTS', z) == 1 then
      local complete = redis.call('ZSCORE', z, '!') ~= false
      local lowest = redis.call('ZRANGE', z, 0, 0)[1]
      -- a window only holds everything newer than its oldest member
      if complete or op.m > lowest then
        redis.call('ZADD', z, 0, op.m)
        if complete and redis.call('ZCARD', z) - 1 > window then
          redis.call('ZREM', z, '!')
          complete = false
        end
        if not complete then
          local extra = redis.call('ZCARD', z) - window
          if extra > 0 then redis.call('ZREMRANGEBYRANK', z, 0, extra - 1) end
        end
      end
    end
  elseif kind == 'zrem' then
    local z = base .. ':z'
    local suffix = ':' .. op.u
    for _, m in ipairs(redis.call('ZRANGE', z, 0, -1)) do
      if string.sub(m, -#suffix) == suffix then redis.call('ZREM', z, m) end
    end
    -- removals erode a window (a follow adds one member and trims one, an unfollow only removes):
    -- below half its size it is dropped, and the next read loads it afresh
    if redis.call('EXISTS', z) == 1 and not redis.call('ZSCORE', z, '!') and redis.call('ZCARD', z) < window / 2 then drop(base, ttl) end
  end
end
for _, k in ipairs(cjson.decode(ARGV[5])) do
  local base = k .. ':e' .. epoch
  if counted and redis.call('HINCRBY', base, 'p', -1) <= 0 then redis.call('HDEL', base, 'p') end
  redis.call('HSET', base, 'v', tick())
  if redis.call('PTTL', base) < 0 then redis.call('PEXPIRE', base, ttl) end
end
return 1`;

/** ARGV: placeholderTtlMs, key... */
export const DROP_ENTRIES = `${PRELUDE}${DROP}
for i = 2, #ARGV do drop(ARGV[i] .. ':e' .. epoch, ARGV[1]) end
return 1`;
