// Lua scripts of the Redis cache store. Every key a script touches is declared in KEYS, and all of
// them lie in one hash slot (keys are tagged by their owner, docs/scaling.md "Redis Cluster"), so
// each script runs on one node of a Redis Cluster as on a single Redis.
//
// KEYS[1] is the slot's epoch and KEYS[2] its version clock (`graph:epoch` and `graph:clock` on a
// single node); the data keys follow, composed by the store with the epoch it expects
// (`<base>:e<epoch>`, lists in `<base>:e<epoch>:z`). ARGV[1] is that epoch: when the slot's epoch
// is another, the script refuses with an `EPOCH <current>` error and the store retries with it, so
// a fill or an update can never land in an epoch other than the one it checked.
//
// Entry hash fields: d = value, v = version (unique, from the slot's clock), p = writes announced.

import { BLOCKS_MANY } from './graph-cache.store';

const PRELUDE = `
local epoch = redis.call('GET', KEYS[1]) or '0'
if epoch ~= ARGV[1] then return redis.error_reply('EPOCH ' .. epoch) end
local function tick() return tostring(redis.call('INCR', KEYS[2])) end
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

/** The optional settings and blocks keys after KEYS[first]: present when ARGV[flag] / ARGV[flag + 1] is '1'. */
const OPTIONAL_OWNER_KEYS = `
local function owner_keys(first, flag)
  local n = first
  local settings, blocks
  if ARGV[flag] == '1' then settings = KEYS[n]; n = n + 1 end
  if ARGV[flag + 1] == '1' then blocks = KEYS[n] end
  return settings, blocks
end
`;

/** KEYS: epoch, clock, entry... ARGV: epoch, placeholderTtlMs → per key: value ('' on a miss), ticket ('' when none). */
export const READ_ENTRIES = `${PRELUDE}
local out = {}
for i = 3, #KEYS do
  local base = KEYS[i]
  local r = redis.call('HMGET', base, 'd', 'v', 'p')
  if r[1] then
    out[#out + 1] = r[1]
    out[#out + 1] = ''
  else
    local v = version(base, r[2], ARGV[2])
    out[#out + 1] = ''
    if tonumber(r[3] or '0') > 0 then out[#out + 1] = '' else out[#out + 1] = v end
  end
end
return out`;

/** KEYS: epoch, clock, entry... ARGV: epoch, then (ticket, value, ttlMs) per entry → number stored. */
export const FILL_ENTRIES = `${PRELUDE}
local n = 0
for i = 3, #KEYS do
  local j = 2 + (i - 3) * 3
  local base = KEYS[i]
  local r = redis.call('HMGET', base, 'v', 'p')
  if r[1] == ARGV[j] and tonumber(r[2] or '0') == 0 then
    redis.call('HSET', base, 'd', ARGV[j + 1])
    redis.call('PEXPIRE', base, ARGV[j + 2])
    n = n + 1
  end
end
return n`;

/** KEYS: epoch, clock, list, list:z. ARGV: epoch, placeholderTtlMs, after ('' = from the newest), count → {'hit', members...} or {'miss', ticket}. */
export const READ_LIST = `${PRELUDE}
local base, z = KEYS[3], KEYS[4]
if redis.call('EXISTS', z) == 1 then
  local max = '+'
  if ARGV[3] ~= '' then max = '(' .. ARGV[3] end
  local r = redis.call('ZREVRANGEBYLEX', z, max, '-', 'LIMIT', 0, tonumber(ARGV[4]))
  table.insert(r, 1, 'hit')
  return r
end
local r = redis.call('HMGET', base, 'v', 'p')
local v = version(base, r[1], ARGV[2])
if tonumber(r[2] or '0') > 0 then v = '' end
return {'miss', v}`;

/**
 * One list page's entries (GraphCacheStore.readListPage) in one call.
 * KEYS: epoch, clock, list, list:z, stats, [settings], [blocks].
 * ARGV: epoch, placeholderTtlMs, viewerId, after, count, hasSettings, hasBlocks
 * → {settings, settingsTicket, blocked ('yes'|'no'|'many'|'' on a miss), blocksTicket, stats, statsTicket,
 *    'hit', '', members... | 'miss', listTicket}; a value '' is a miss.
 */
export const READ_LIST_PAGE = `${PRELUDE}${BLOCK_SET_HOLDS}${OPTIONAL_OWNER_KEYS}
local function entry(base)
  local r = redis.call('HMGET', base, 'd', 'v', 'p')
  if r[1] then return r[1], '' end
  local v = version(base, r[2], ARGV[2])
  if tonumber(r[3] or '0') > 0 then v = '' end
  return '', v
end
local settings, blocks = owner_keys(6, 6)
local sv, st = '0', ''
if settings then sv, st = entry(settings) end
local bv, bt = 'no', ''
if blocks then
  local d
  d, bt = entry(blocks)
  if d == '' then bv = '' else bv = block_set_holds(d, ARGV[3]) end
end
local cv, ct = entry(KEYS[5])
local out = {sv, st, bv, bt, cv, ct}
local base, z = KEYS[3], KEYS[4]
if redis.call('EXISTS', z) == 1 then
  local max = '+'
  if ARGV[4] ~= '' then max = '(' .. ARGV[4] end
  out[7] = 'hit'
  out[8] = ''
  for _, m in ipairs(redis.call('ZREVRANGEBYLEX', z, max, '-', 'LIMIT', 0, tonumber(ARGV[5]))) do out[#out + 1] = m end
  return out
end
local r = redis.call('HMGET', base, 'v', 'p')
local v = version(base, r[1], ARGV[2])
if tonumber(r[2] or '0') > 0 then v = '' end
out[7] = 'miss'
out[8] = v
return out`;

/** `<list version>:<stats version>` of a rendered page's sources, '' while a write is announced on either. */
const RENDER_STAMP = `
local function stamp(list, stats, create, ttl)
  local l = redis.call('HMGET', list, 'v', 'p')
  local s = redis.call('HMGET', stats, 'v', 'p')
  if tonumber(l[2] or '0') > 0 or tonumber(s[2] or '0') > 0 then return '' end
  if create then return version(list, l[1], ttl) .. ':' .. version(stats, s[1], ttl) end
  if not l[1] or not s[1] then return '' end
  return l[1] .. ':' .. s[1]
end
`;

/**
 * A rendered page for one viewer (GraphCacheStore.readRenderedPage).
 * KEYS: epoch, clock, page, list, stats, [settings], [blocks].
 * ARGV: epoch, placeholderTtlMs, viewerId, hasSettings, hasBlocks → {'hit', body} or {'miss', stamp ('' = none)}.
 */
export const READ_RENDERED_PAGE = `${PRELUDE}${BLOCK_SET_HOLDS}${RENDER_STAMP}${OPTIONAL_OWNER_KEYS}
local settings, blocks = owner_keys(6, 4)
local now = stamp(KEYS[4], KEYS[5], true, ARGV[2])
local open = now ~= ''
if open and settings then open = redis.call('HGET', settings, 'd') == '0' end
if open and blocks then
  local d = redis.call('HGET', blocks, 'd')
  open = d and block_set_holds(d, ARGV[3]) == 'no'
end
if open then
  local page = redis.call('HMGET', KEYS[3], 'd', 's')
  if page[1] and page[2] == now then return {'hit', page[1]} end
end
return {'miss', now}`;

/** KEYS: epoch, clock, page, list, stats. ARGV: epoch, stamp, body, ttlMs → 1 when stored. */
export const FILL_RENDERED_PAGE = `${PRELUDE}${RENDER_STAMP}
if stamp(KEYS[4], KEYS[5], false, 0) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[3], 'd', ARGV[3], 's', ARGV[2])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return 1`;

/** KEYS: epoch, clock, list, list:z. ARGV: epoch, ticket, ttlMs, complete ('1'/'0'), member... → 1 when stored. */
export const FILL_LIST = `${PRELUDE}
local base, z = KEYS[3], KEYS[4]
local r = redis.call('HMGET', base, 'v', 'p')
if r[1] ~= ARGV[2] or tonumber(r[2] or '0') ~= 0 then return 0 end
redis.call('DEL', z)
local args = {}
for i = 5, #ARGV do
  args[#args + 1] = 0
  args[#args + 1] = ARGV[i]
  if #args >= 400 then
    redis.call('ZADD', z, unpack(args))
    args = {}
  end
end
if ARGV[4] == '1' then
  args[#args + 1] = 0
  args[#args + 1] = '!'
end
if #args > 0 then redis.call('ZADD', z, unpack(args)) end
if redis.call('EXISTS', z) == 1 then redis.call('PEXPIRE', z, ARGV[3]) end
return 1`;

/** KEYS: epoch, clock, entry... ARGV: epoch, pendingTtlMs → 1 (the write is announced in ARGV[1]'s epoch). */
export const BEGIN_WRITE = `${PRELUDE}
for i = 3, #KEYS do
  local base = KEYS[i]
  redis.call('HINCRBY', base, 'p', 1)
  redis.call('HSET', base, 'v', tick())
  if redis.call('PTTL', base) < tonumber(ARGV[2]) then redis.call('PEXPIRE', base, ARGV[2]) end
end
return 1`;

const DROP = `
local function drop(base, z, ttl)
  redis.call('DEL', z)
  local p = redis.call('HGET', base, 'p')
  redis.call('DEL', base)
  redis.call('HSET', base, 'v', tick())
  if p then redis.call('HSET', base, 'p', p) end
  redis.call('PEXPIRE', base, ttl)
end
`;

/**
 * KEYS: epoch, clock, then the entries the ops and the announcement name (indexes in the JSON).
 * ARGV: epoch, announcedEpoch ('' = not announced), placeholderTtlMs, listWindow, ops (JSON), announced key indexes (JSON).
 * Ops: {k, z, o='drop'} | {k, z, o='stats', d={f,g,p}, x=dropIfPending} | {k, z, o='zadd', m, g=guard index} | {k, z, o='zrem', u=paddedId, g}.
 */
export const FINISH_WRITE = `${PRELUDE}${DROP}
local counted = ARGV[2] == epoch
local ttl = ARGV[3]
local window = tonumber(ARGV[4])
for _, op in ipairs(cjson.decode(ARGV[5])) do
  local base, z = KEYS[op.k], KEYS[op.z]
  local kind = op.o
  -- in place only while this write's own announcement stands, else the safe answer is to drop
  if not counted or pending(base) < 1 then kind = 'drop' end
  if (kind == 'zadd' or kind == 'zrem') and pending(KEYS[op.g]) ~= 1 then kind = 'drop' end
  if kind == 'drop' then
    drop(base, z, ttl)
  elseif kind == 'stats' then
    local d = redis.call('HGET', base, 'd')
    if d then
      local f, g, p = string.match(d, '^(-?%d+):(-?%d+):(-?%d+)$')
      f, g, p = tonumber(f), tonumber(g), tonumber(p)
      if op.x and p ~= 0 then
        drop(base, z, ttl)
      else
        redis.call('HSET', base, 'd', string.format('%d:%d:%d', f + op.d[1], g + op.d[2], p + op.d[3]))
      end
    end
  elseif kind == 'zadd' then
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
    local suffix = ':' .. op.u
    for _, m in ipairs(redis.call('ZRANGE', z, 0, -1)) do
      if string.sub(m, -#suffix) == suffix then redis.call('ZREM', z, m) end
    end
    -- removals erode a window (a follow adds one member and trims one, an unfollow only removes):
    -- below half its size it is dropped, and the next read loads it afresh
    if redis.call('EXISTS', z) == 1 and not redis.call('ZSCORE', z, '!') and redis.call('ZCARD', z) < window / 2 then drop(base, z, ttl) end
  end
end
for _, i in ipairs(cjson.decode(ARGV[6])) do
  local base = KEYS[i]
  if counted and redis.call('HINCRBY', base, 'p', -1) <= 0 then redis.call('HDEL', base, 'p') end
  redis.call('HSET', base, 'v', tick())
  if redis.call('PTTL', base) < 0 then redis.call('PEXPIRE', base, ttl) end
end
return 1`;

/** KEYS: epoch, clock, then (entry, entry:z) pairs. ARGV: epoch, placeholderTtlMs. */
export const DROP_ENTRIES = `${PRELUDE}${DROP}
for i = 3, #KEYS, 2 do drop(KEYS[i], KEYS[i + 1], ARGV[2]) end
return 1`;

/**
 * KEYS: epoch → the slot's new epoch. Never one the slot had before, even when a failover lost
 * acknowledged INCRs (replication is asynchronous): at least the server's clock in milliseconds.
 */
export const BUMP_EPOCH = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local e = redis.call('INCR', KEYS[1])
if e < now then
  e = now
  redis.call('SET', KEYS[1], string.format('%d', e))
end
return string.format('%d', e)`;
