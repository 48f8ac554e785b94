-- wrk script for bench/latency.mjs: cycles through pre-built requests, one per line of the file
-- given after `--` (METHOD <tab> PATH <tab> COOKIE <tab> BODY; empty cookie or body: none), with
-- the portal's Origin (second argument) and, if given, a Host header (third argument: bench/ratio.mjs
-- serves the portal and the baseline from one workerd, told apart by host). At the end prints one
-- JSON line (times in microseconds).
-- Requests are formatted once in init(), so wrk does no per-request Lua work beyond an index.
local reqs = {}
local i = 0

function init(args)
  local origin = args[2]
  local f = assert(io.open(args[1], "r"))
  for line in f:lines() do
    local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if method then
      local h = { ["Origin"] = origin }
      if args[3] then h["Host"] = args[3] end
      if cookie ~= "" then h["Cookie"] = cookie end
      if body == "" then body = nil else h["Content-Type"] = "application/json" end
      reqs[#reqs + 1] = wrk.format(method, path, h, body)
    end
  end
  f:close()
  assert(#reqs > 0, "no requests in " .. args[1])
end

function request()
  i = i % #reqs + 1
  return reqs[i]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"status_errors":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
