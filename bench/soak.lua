-- wrk script for bench/soak: a mixed load of reads and writes, every request as the next of
-- the seeded users (tokens from `task-dashboard seed --tokens`, lines "user_id count token").
-- Of every 20 requests:
--   14  GET /tasks with HX-Request (the dashboard fragment; cookie auth, as bench/wrk.lua)
--    2  GET /api/tasks (bearer)
--    2  POST /api/tasks (bearer)
--    1  a change of a task the load created: PATCH /api/tasks/{id} (priority) or
--       PATCH /api/tasks/{id}/complete (toggle), in turn, as its owner
--    1  DELETE /api/tasks/{id} of a task the load created, as its owner
-- Created tasks (read from each 201's body: its id and user_id) go in turn to one of two
-- pools: the changed ones are never deleted and the deleted ones are deleted once, so no
-- change or delete can meet a task gone (a 404 is an error here). While a pool is empty (the
-- first moments of a run) its slot creates instead. Every answer that is not 2xx or 3xx is an
-- error; `done` prints one RESULT line, a STATUS line and a SENT line for bench/soak.
local tokens_file = os.getenv("SOAK_TOKENS")
local users, by_id = {}, {}
for line in io.lines(tokens_file) do
  local id, _, token = line:match("^(%d+) (%d+) (%S+)$")
  if token then
    local u = { id = tonumber(id), token = token }
    users[#users + 1] = u
    by_id[u.id] = u
  end
end

-- F fragment, L API list, C create, U change, D delete
local plan = { "F", "F", "F", "C", "F", "F", "L", "F", "F", "U",
               "F", "F", "C", "F", "F", "L", "F", "D", "F", "F" }

local step, next_user = 0, 0
local changeable, changeable_max, changed = {}, 2000, 0
local deletable, del_head, del_tail = {}, 1, 0
local to_changeable = true
statuses, sent = {}, {}

local function bearer(u)
  return { ["Authorization"] = "Bearer " .. u.token }
end

local function create(u)
  local headers = bearer(u)
  headers["Content-Type"] = "application/json"
  local body = string.format('{"title":"Soak task %d","priority":"%s"}', step,
    ({ "low", "medium", "high" })[step % 3 + 1])
  return "C", wrk.format("POST", "/api/tasks", headers, body)
end

local function build()
  step = step + 1
  local kind = plan[(step - 1) % #plan + 1]
  next_user = next_user % #users + 1
  local u = users[next_user]
  if kind == "F" then
    return kind, wrk.format("GET", "/tasks", {
      ["Cookie"] = "auth=" .. u.token, ["HX-Request"] = "true",
      ["Accept-Encoding"] = "br, gzip" })
  elseif kind == "L" then
    return kind, wrk.format("GET", "/api/tasks", bearer(u))
  elseif kind == "U" and #changeable > 0 then
    local t = changeable[math.random(#changeable)]
    changed = changed + 1
    local headers = bearer(by_id[t.user])
    if changed % 2 == 0 then
      return kind, wrk.format("PATCH", "/api/tasks/" .. t.id .. "/complete", headers)
    end
    headers["Content-Type"] = "application/json"
    local body = string.format('{"priority":"%s"}', ({ "low", "medium", "high" })[changed % 3 + 1])
    return kind, wrk.format("PATCH", "/api/tasks/" .. t.id, headers, body)
  elseif kind == "D" and del_head <= del_tail then
    local t = deletable[del_head]
    deletable[del_head] = nil
    del_head = del_head + 1
    return kind, wrk.format("DELETE", "/api/tasks/" .. t.id, bearer(by_id[t.user]))
  end
  return create(u)
end

request = function()
  local kind, req = build()
  sent[kind] = (sent[kind] or 0) + 1
  return req
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 201 then
    local id = tonumber(body:match('^{%s*"id"%s*:%s*(%d+)'))
    local user = tonumber(body:match('"user_id"%s*:%s*(%d+)'))
    if id and user and by_id[user] then
      if to_changeable then
        if #changeable < changeable_max then
          changeable[#changeable + 1] = { id = id, user = user }
        else
          changeable[math.random(changeable_max)] = { id = id, user = user }
        end
      else
        del_tail = del_tail + 1
        deletable[del_tail] = { id = id, user = user }
      end
      to_changeable = not to_changeable
    end
  end
end

local threads = {}
setup = function(thread)
  threads[#threads + 1] = thread
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %.6f %.3f %.3f %.3f %.3f %d %d %d %d %d\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect, e.read, e.write, e.timeout))
  local all_statuses, all_sent = {}, {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses") or {}) do all_statuses[k] = (all_statuses[k] or 0) + v end
    for k, v in pairs(t:get("sent") or {}) do all_sent[k] = (all_sent[k] or 0) + v end
  end
  local line = "STATUS"
  for k, v in pairs(all_statuses) do line = line .. " " .. k .. "=" .. v end
  io.write(line .. "\n")
  line = "SENT"
  for k, v in pairs(all_sent) do line = line .. " " .. k .. "=" .. v end
  io.write(line .. "\n")
end
