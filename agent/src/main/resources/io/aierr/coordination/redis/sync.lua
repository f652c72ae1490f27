-- One exchange of a JVM with its fleet about one endpoint, atomic. In: what the JVM counts (calls in
-- progress, calls and retries of the retry budget's window) and what it learned (a hold, its breaker
-- opening, the rate). Out: the fleet's hold, its breaker, the sums of every live member's counts, and
-- this member's rank among the live members (its place when the fleet's calls resume after a hold),
-- the rate a member learned last with the number of that lesson, and the sum of the live members'
-- successes per second.
-- Times are Redis's own clock and travel as durations, so the JVMs need no common clock.
-- KEYS[1]: the endpoint's hash. ARGV: member id, demand, budget calls, budget retries, hold (ms from
-- now, 0 for none), breaker open (ms from now, 0 for none), rate learned (requests/s, 0 for none new),
-- ttl (ms), stale (ms after which a silent member no longer counts), a token bucket's counters as the
-- member last read them ('remaining:limit:refill per second', '' for none new; shown by status only),
-- the member's successes per second lately (kept beside its counts, as 'p:<member id>'), and the
-- tokens its successes spent per second lately, per model and bucket ('<key>=<tokens/s>,...', kept as
-- 'k:<member id>'; the keys are hashes, never model names). Out also: the live members' token sums.
local key = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', key, 'm:' .. ARGV[1], ARGV[2] .. ':' .. ARGV[3] .. ':' .. ARGV[4] .. ':' .. now,
  'p:' .. ARGV[1], ARGV[11], 'k:' .. ARGV[1], ARGV[12])
local function extend(field, ms)
  ms = tonumber(ms)
  if ms > 0 and now + ms > tonumber(redis.call('HGET', key, field) or '0') then
    redis.call('HSET', key, field, now + ms)
  end
end
extend('held', ARGV[5])
extend('open', ARGV[6])
if ARGV[10] ~= '' then
  redis.call('HSET', key, 'tokens', ARGV[10] .. ':' .. now)
end
if tonumber(ARGV[7]) > 0 then
  redis.call('HSET', key, 'rate', ARGV[7])
  redis.call('HINCRBY', key, 'lesson', 1)
end
local held, open, demand, calls, retries, rank, members = 0, 0, 0, 0, 0, 0, 0
local rate, lesson = '0', 0
local live, passRates, passRate, tokenPasses, tokenSums = {}, {}, 0, {}, {}
local me = 'm:' .. ARGV[1]
local fields = redis.call('HGETALL', key)
local stale = tonumber(ARGV[9])
for i = 1, #fields, 2 do
  local name, value = fields[i], fields[i + 1]
  if name == 'held' then
    held = tonumber(value)
  elseif name == 'open' then
    open = tonumber(value)
  elseif name == 'rate' then
    rate = value
  elseif name == 'lesson' then
    lesson = tonumber(value)
  elseif string.sub(name, 1, 2) == 'p:' then
    passRates[string.sub(name, 3)] = tonumber(value)
  elseif string.sub(name, 1, 2) == 'k:' then
    tokenPasses[string.sub(name, 3)] = value
  elseif string.sub(name, 1, 2) == 'm:' then
    local d, c, r, at = string.match(value, '^(%d+):(%d+):(%d+):(%d+)$')
    if d == nil or now - tonumber(at) > stale then
      redis.call('HDEL', key, name, 'p:' .. string.sub(name, 3), 'k:' .. string.sub(name, 3))
    else
      live[#live + 1] = string.sub(name, 3)
      demand, calls, retries = demand + tonumber(d), calls + tonumber(c), retries + tonumber(r)
      members = members + 1
      if name < me then
        rank = rank + 1
      end
    end
  end
end
for _, id in ipairs(live) do
  passRate = passRate + (passRates[id] or 0)
  for bucket, tokens in string.gmatch(tokenPasses[id] or '', '([^=,]+)=([^,]+)') do
    tokenSums[bucket] = (tokenSums[bucket] or 0) + (tonumber(tokens) or 0)
  end
end
local tokenSum = {}
for bucket, tokens in pairs(tokenSums) do
  tokenSum[#tokenSum + 1] = bucket .. '=' .. tostring(tokens)
end
redis.call('PEXPIRE', key, ARGV[8])
return {math.max(0, held - now), math.max(0, open - now), demand, calls, retries, rank, members, rate, lesson,
  tostring(passRate), table.concat(tokenSum, ',')}
