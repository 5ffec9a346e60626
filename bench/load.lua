-- wrk script of bench/load.py: rotates over the requests listed in a file, counts the responses
-- by status and prints one machine-readable line at the end.
--
--   wrk -s bench/load.lua URL -- REQUESTS_FILE NAME|mix VISITORS
--
-- REQUESTS_FILE: one request per line, tab-separated: name, method, path, headers
-- ("Name: value" joined by \x1f), body (may be empty). NAME runs that request alone, "mix" all
-- of them in turn. Each request carries `X-Bench-Client: N`, one of VISITORS simulated visitors,
-- which bench/prod_settings.py takes as the client's address for the rate limits.

local threads = {}
local requests = {}
local index = 0
local visitor = 0
local visitors = 1000

-- Globals: done() reads them from each thread with thread:get().
s2, s3, s4, s429, s5, other = 0, 0, 0, 0, 0, 0

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

function init(args)
   local file, only = args[1], args[2]
   visitors = tonumber(args[3]) or 1000
   for line in io.lines(file) do
      local name, method, path, headers, body =
         line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      if name and (only == "mix" or only == name) then
         local h = {}
         for pair in headers:gmatch("[^\31]+") do
            local key, value = pair:match("^([^:]+):%s*(.*)$")
            if key then h[key] = value end
         end
         if body == "" then body = nil end
         table.insert(requests, { method = method, path = path, headers = h, body = body })
      end
   end
   if #requests == 0 then
      error("load.lua: no request named " .. tostring(only) .. " in " .. tostring(file))
   end
   -- Threads start at different places of the rotation and with different visitors.
   index = ((tid or 1) - 1) * 3 % #requests
   visitor = ((tid or 1) - 1) * 7919
end

function request()
   index = index % #requests + 1
   visitor = visitor + 1
   local r = requests[index]
   r.headers["X-Bench-Client"] = tostring(visitor % visitors)
   return wrk.format(r.method, r.path, r.headers, r.body)
end

function response(status, headers, body)
   if status == 429 then
      s429 = s429 + 1
   elseif status >= 500 then
      s5 = s5 + 1
   elseif status >= 400 then
      s4 = s4 + 1
   elseif status >= 300 then
      s3 = s3 + 1
   elseif status >= 200 then
      s2 = s2 + 1
   else
      other = other + 1
   end
end

function done(summary, latency, requests)
   local counts = { s2 = 0, s3 = 0, s4 = 0, s429 = 0, s5 = 0, other = 0 }
   for _, thread in ipairs(threads) do
      for key, _ in pairs(counts) do
         counts[key] = counts[key] + (tonumber(thread:get(key)) or 0)
      end
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, '
         .. '"write": %d, "timeout": %d, "status_errors": %d, "p50_us": %d, "p95_us": %d, '
         .. '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "s2": %d, "s3": %d, "s4": %d, '
         .. '"s429": %d, "s5": %d, "other": %d}\n',
      summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.timeout,
      e.status, latency:percentile(50), latency:percentile(95), latency:percentile(99),
      latency.max, latency.mean, counts.s2, counts.s3, counts.s4, counts.s429, counts.s5,
      counts.other))
end
