-- wrk script of the benchmark: requests are formatted once per thread, then handed out in turn.
--   BENCH_PATHS   file of request paths, one a line (required)
--   BENCH_BODIES  file of JSON bodies, one a line (POST only)
--   BENCH_METHOD  GET (default) or POST
--   BENCH_HEADERS headers sent with each GET, one "Name: value" a line (optional)
-- done() prints one line: BENCH {"requests":..., "p50_us":..., ...}
local reqs = {}
local i = 0

init = function(args)
  local method = os.getenv("BENCH_METHOD") or "GET"
  local bodies, paths = {}, {}
  local bodies_file = os.getenv("BENCH_BODIES")
  if bodies_file and bodies_file ~= "" then
    for line in io.lines(bodies_file) do bodies[#bodies + 1] = line end
  end
  for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
  local sent = {}
  for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    if name then sent[name] = value end
  end
  local n = math.max(#bodies, #paths)
  for k = 1, n do
    local path = paths[(k - 1) % #paths + 1]
    if method == "POST" then
      local headers = {["Content-Type"] = "application/json"}
      reqs[k] = wrk.format("POST", path, headers, bodies[(k - 1) % #bodies + 1])
    else
      reqs[k] = wrk.format("GET", path, sent)
    end
  end
end

request = function()
  i = i % #reqs + 1
  return reqs[i]
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
