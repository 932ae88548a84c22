-- wrk script for bench/run: every request signs in as the next of the seeded users (their
-- tokens come from `task-dashboard seed --tokens`), so the server cannot serve one user's
-- rows from a warm cache. Configured by environment variables; see bench/run.
local tokens = {}
local bearer = os.getenv("BENCH_AUTH") == "bearer"
local path = os.getenv("BENCH_PATH") or "/tasks"
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local htmx = os.getenv("BENCH_HTMX") == "1"
local big_only = os.getenv("BENCH_BIG") == "1"
-- What the client takes (a browser's default unless set; "identity" measures the work
-- without compression).
local encoding = os.getenv("BENCH_ENCODING") or "br, gzip"
-- Only accounts holding between BENCH_MIN_TASKS and BENCH_MAX_TASKS tasks (the "100-task
-- account" targets).
local min_tasks = tonumber(os.getenv("BENCH_MIN_TASKS") or "0")
local max_tasks = tonumber(os.getenv("BENCH_MAX_TASKS") or "1e12")

-- The "big" targets use the accounts with 50,000+ tasks; a data set shrunk with BENCH_TASKS
-- may have none, and then the largest account stands in.
local largest, largest_count = nil, -1
for line in io.lines(os.getenv("BENCH_TOKENS")) do
  local _, count, token = line:match("^(%d+) (%d+) (%S+)$")
  local n = tonumber(count)
  if token and (not big_only or n >= 50000) and n >= min_tasks and n <= max_tasks then
    tokens[#tokens + 1] = token
  end
  if token and tonumber(count) > largest_count then
    largest, largest_count = token, tonumber(count)
  end
end
if #tokens == 0 and largest then
  tokens[1] = largest
end

local i = 0
request = function()
  i = i % #tokens + 1
  local headers = { ["Accept-Encoding"] = encoding }
  if bearer then
    headers["Authorization"] = "Bearer " .. tokens[i]
  else
    headers["Cookie"] = "auth=" .. tokens[i]
  end
  if htmx then headers["HX-Request"] = "true" end
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format(method, path, headers, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %.6f %.3f %.3f %.3f %d %d %d\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, #tokens))
end
