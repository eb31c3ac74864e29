/**
 * Lua for the shared sliding-window budgets. Each script runs atomically in Redis, with Redis' own clock, so
 * every worker process sees one consistent budget whatever its local clock says.
 *
 * Per budget three keys: the window log (ZSET of grants scored by time), a 429 block (string with a PTTL), and
 * the set of streams currently spending it (ZSET scored by last activity).
 */

/**
 * KEYS: for each budget i (1-based): log_i, block_i, active_i  (3 keys per budget)
 * ARGV: count, priority ("high"|"normal"|"normal-no-reserve"), member, streamId ("" for none), activeTtlMs,
 *       then per budget: limit_i, windowMs_i
 * Returns { granted (1|0), waitMs, then per budget: used_i, active_i }.
 *
 * Normal-priority calls may not take the last `reserve` slots of a window: those stay for a new stream's first
 * text and for final texts. The reserve grows with the number of active streams (one final each), capped at
 * 40% of the window so routine updates are never starved entirely.
 */
export const ACQUIRE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local count = tonumber(ARGV[1])
local high = ARGV[2] == 'high'
local keepReserve = ARGV[2] == 'normal'
local member = ARGV[3]
local stream = ARGV[4]
local activeTtl = tonumber(ARGV[5])
local wait = 0
local stats = {}
for i = 1, count do
  local log, block, active = KEYS[3*i-2], KEYS[3*i-1], KEYS[3*i]
  local limit = tonumber(ARGV[4 + 2*i])
  local window = tonumber(ARGV[5 + 2*i])
  redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window)
  redis.call('ZREMRANGEBYSCORE', active, '-inf', now - activeTtl)
  if stream ~= '' then
    redis.call('ZADD', active, now, stream)
    redis.call('PEXPIRE', active, activeTtl)
  end
  local used = redis.call('ZCARD', log)
  local nactive = redis.call('ZCARD', active)
  stats[#stats + 1] = used
  stats[#stats + 1] = nactive
  local blocked = redis.call('PTTL', block)
  if blocked > 0 then
    if blocked > wait then wait = blocked end
  else
    local reserve = 0
    if keepReserve then
      reserve = math.min(math.floor(limit * 0.4), math.max(1, nactive))
      if reserve >= limit then reserve = limit - 1 end
    end
    local cap = limit - reserve
    if used >= cap then
      -- the slot that frees us is the (used - cap)-th oldest grant
      local e = redis.call('ZRANGE', log, used - cap, used - cap, 'WITHSCORES')
      local w = 1
      if e[2] then w = tonumber(e[2]) + window - now end
      if w < 1 then w = 1 end
      if w > wait then wait = w end
    end
  end
end
if wait > 0 then
  return { 0, wait, unpack(stats) }
end
for i = 1, count do
  local log = KEYS[3*i-2]
  local window = tonumber(ARGV[5 + 2*i])
  redis.call('ZADD', log, now, member)
  redis.call('PEXPIRE', log, window)
  stats[2*i - 1] = stats[2*i - 1] + 1
end
return { 1, 0, unpack(stats) }
`;

/** KEYS: block keys. ARGV: ms. A 429 blocks the budget for the time the platform asked (never shortens a block). */
export const BLOCK_LUA = `
for i = 1, #KEYS do
  local left = redis.call('PTTL', KEYS[i])
  if left < tonumber(ARGV[1]) then redis.call('SET', KEYS[i], '1', 'PX', ARGV[1]) end
end
return 1
`;

/**
 * KEYS: per budget log_i, active_i (2 keys each). ARGV: count, activeTtlMs, then per budget windowMs_i.
 * Returns per budget used_i, active_i.
 */
export const SNAPSHOT_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i = 1, tonumber(ARGV[1]) do
  local window = tonumber(ARGV[2 + i])
  redis.call('ZREMRANGEBYSCORE', KEYS[2*i-1], '-inf', now - window)
  redis.call('ZREMRANGEBYSCORE', KEYS[2*i], '-inf', now - tonumber(ARGV[2]))
  out[#out + 1] = redis.call('ZCARD', KEYS[2*i-1])
  out[#out + 1] = redis.call('ZCARD', KEYS[2*i])
end
return out
`;
