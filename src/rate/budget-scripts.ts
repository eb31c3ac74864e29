/**
 * Lua for the shared rate budgets. Each script runs atomically in Redis, with Redis' own clock, so
 * every worker process sees one consistent budget whatever its local clock says.
 *
 * Per budget four keys: what was spent (a window log or a token bucket's TAT, see USED_LUA), a 429 block (string
 * with a PTTL), the set of streams currently spending it (ZSET scored by last activity), and the limit the
 * platform reported for it (string with a TTL; absent: the adapter's declared limit holds).
 */

/**
 * Per budget, what is spent so far, as a Lua fragment shared by both scripts. Two meters:
 * - "w" (window): a log of grants (ZSET scored by time); `used` = grants in the last window. At most `limit` in
 *   any window: safe against a platform that counts fixed or sliding windows (Discord's buckets reset whole).
 * - "c" (continuous): a token bucket kept as GCRA's one number, the theoretical arrival time (TAT): the bucket
 *   holds `limit` tokens and one returns every window/limit ms, so capacity comes back steadily after a burst
 *   instead of all at once a window later (Slack: "per minute", "bursts tolerated"). `used` = tokens missing,
 *   (TAT - now) / interval, fractional.
 * `state` is the log key or the TAT key.
 */
const USED_LUA = `
local function usedOf(mode, state, limit, window, now)
  if mode == 'c' then
    local tat = tonumber(redis.call('GET', state) or '0')
    if tat <= now then return 0 end
    return (tat - now) / (window / limit)
  end
  redis.call('ZREMRANGEBYSCORE', state, '-inf', now - window)
  return redis.call('ZCARD', state)
end
`;

/** The limit in force: what the platform reported, else the declared one. */
const LIMIT_LUA = `
local function limitOf(learnedKey, declared)
  local learned = redis.call('GET', learnedKey)
  if learned then return tonumber(learned) end
  return declared
end
`;

/**
 * KEYS: for each budget i (1-based): state_i, block_i, active_i, learned_i  (4 keys per budget)
 * ARGV: count, priority ("high"|"normal"|"normal-no-reserve"), member, streamId ("" for none), activeTtlMs,
 *       then per budget: limit_i, windowMs_i, mode_i ("w" | "c")
 * Returns { granted (1|0), waitMs, then per budget: used_i (rounded up), active_i, limit_i (in force) }.
 *
 * Normal-priority calls may not take the last `reserve` slots: those stay for a new stream's first text and for
 * final texts. The reserve grows with the number of active streams (one final each), capped at 40% of the limit
 * so routine updates are never starved entirely.
 */
export const ACQUIRE_LUA = `${USED_LUA}${LIMIT_LUA}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local count = tonumber(ARGV[1])
local keepReserve = ARGV[2] == 'normal'
local member = ARGV[3]
local stream = ARGV[4]
local activeTtl = tonumber(ARGV[5])
local wait = 0
local stats = {}
local limits = {}
for i = 1, count do
  local state, block, active = KEYS[4*i-3], KEYS[4*i-2], KEYS[4*i-1]
  local limit = limitOf(KEYS[4*i], tonumber(ARGV[3 + 3*i]))
  limits[i] = limit
  local window = tonumber(ARGV[4 + 3*i])
  local mode = ARGV[5 + 3*i]
  redis.call('ZREMRANGEBYSCORE', active, '-inf', now - activeTtl)
  if stream ~= '' then
    redis.call('ZADD', active, now, stream)
    redis.call('PEXPIRE', active, activeTtl)
  end
  local used = usedOf(mode, state, limit, window, now)
  local nactive = redis.call('ZCARD', active)
  stats[#stats + 1] = math.ceil(used)
  stats[#stats + 1] = nactive
  stats[#stats + 1] = limit
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
    if used + 1 > cap then
      local w = 1
      if mode == 'c' then
        -- one more token returns every interval: wait until used + 1 fits under cap
        w = math.ceil((used + 1 - cap) * (window / limit))
      else
        -- the slot that frees us is the (used - cap)-th oldest grant
        local e = redis.call('ZRANGE', state, used - cap, used - cap, 'WITHSCORES')
        if e[2] then w = tonumber(e[2]) + window - now end
      end
      if w < 1 then w = 1 end
      if w > wait then wait = w end
    end
  end
end
if wait > 0 then
  return { 0, wait, unpack(stats) }
end
for i = 1, count do
  local state = KEYS[4*i-3]
  local limit = limits[i]
  local window = tonumber(ARGV[4 + 3*i])
  if ARGV[5 + 3*i] == 'c' then
    local tat = tonumber(redis.call('GET', state) or '0')
    if tat < now then tat = now end
    tat = tat + window / limit
    redis.call('SET', state, tostring(tat), 'PX', math.ceil(tat - now) + 1000)
  else
    redis.call('ZADD', state, now, member)
    redis.call('PEXPIRE', state, window)
  end
  stats[3*i - 2] = stats[3*i - 2] + 1
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
 * KEYS: per budget state_i, active_i, learned_i (3 keys each). ARGV: count, activeTtlMs, then per budget limit_i,
 * windowMs_i, mode_i. Returns per budget used_i (rounded up), active_i, limit_i (in force).
 */
export const SNAPSHOT_LUA = `${USED_LUA}${LIMIT_LUA}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i = 1, tonumber(ARGV[1]) do
  local limit = limitOf(KEYS[3*i], tonumber(ARGV[3*i]))
  redis.call('ZREMRANGEBYSCORE', KEYS[3*i-1], '-inf', now - tonumber(ARGV[2]))
  out[#out + 1] = math.ceil(usedOf(ARGV[3*i + 2], KEYS[3*i-2], limit, tonumber(ARGV[3*i + 1]), now))
  out[#out + 1] = redis.call('ZCARD', KEYS[3*i-1])
  out[#out + 1] = limit
end
return out
`;
