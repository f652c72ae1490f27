-- One exchange of a JVM with its fleet about one endpoint, atomic: the JVM's demand and the hold and
-- rate it learned go in; the fleet's hold and total demand come out. Times are Redis's own clock,
-- holds travel as durations, so the JVMs need no common clock.
-- KEYS[1]: the endpoint's hash. ARGV: member id, demand (calls in progress), hold (ms from now, 0 for
-- none), rate (requests/s, 0 for unknown), ttl (ms), stale (ms after which a silent member is gone).
local key = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local hold = tonumber(ARGV[3])
redis.call('HSET', key, 'm:' .. ARGV[1], ARGV[2] .. ':' .. now)
if hold > 0 then
  local held = tonumber(redis.call('HGET', key, 'held') or '0')
  if now + hold > held then
    redis.call('HSET', key, 'held', now + hold)
  end
end
if tonumber(ARGV[4]) > 0 then
  redis.call('HSET', key, 'rate', ARGV[4])
end
local held = 0
local demand = 0
local fields = redis.call('HGETALL', key)
local stale = tonumber(ARGV[6])
for i = 1, #fields, 2 do
  local name = fields[i]
  if name == 'held' then
    held = tonumber(fields[i + 1])
  elseif string.sub(name, 1, 2) == 'm:' then
    local calls, at = string.match(fields[i + 1], '^(%d+):(%d+)$')
    if calls == nil or now - tonumber(at) > stale then
      redis.call('HDEL', key, name)
    else
      demand = demand + tonumber(calls)
    end
  end
end
redis.call('PEXPIRE', key, ARGV[5])
return {math.max(0, held - now), demand}
