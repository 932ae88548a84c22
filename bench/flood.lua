-- wrk script for bench/flood. Two roles, picked by FLOOD_ROLE:
--   "flood":  POST /api/auth/token with a wrong password, a new unknown email every time;
--             with FLOOD_ADDRESSES=n (and the server trusting 127.0.0.1 as a proxy) each
--             request claims one of n client addresses, each in its own IPv6 /64.
--   "victim": GET /api/tasks as one signed-in user (FLOOD_TOKEN), the request whose
--             latency the flood must not hurt.
-- done() prints one RESULT line: requests, seconds, p50/p95/p99 in ms, then each status
-- seen as status=count (wrk's threads keep their own counts; setup() keeps the threads).
local role = os.getenv("FLOOD_ROLE") or "victim"
local token = os.getenv("FLOOD_TOKEN")
local addresses = tonumber(os.getenv("FLOOD_ADDRESSES") or "0")

local threads = {}
setup = function(thread)
  threads[#threads + 1] = thread
end

statuses = {}
local n = 0
request = function()
  if role == "victim" then
    return wrk.format("GET", "/api/tasks", { ["Authorization"] = "Bearer " .. token })
  end
  n = n + 1
  local headers = { ["Content-Type"] = "application/json" }
  if addresses > 0 then
    local a = n % addresses
    headers["X-Forwarded-For"] = string.format("2001:db8:%x:%x::1", math.floor(a / 65536), a % 65536)
  end
  local body = string.format(
    '{"email":"flood%d-%d@example.com","password":"wrong wrong wrong"}', n, math.random(1e9))
  return wrk.format("POST", "/api/auth/token", headers, body)
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  local seen = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      seen[status] = (seen[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(seen) do
    parts[#parts + 1] = string.format("%d=%d", status, count)
  end
  table.sort(parts)
  local e = summary.errors
  io.write(string.format("RESULT %d %.3f %.3f %.3f %.3f %d %s\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, e.connect + e.read + e.write + e.timeout,
    table.concat(parts, ",")))
end
