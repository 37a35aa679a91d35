-- wrk's report as one JSON line (read by bench/lib/compare-servers.js), instead of its text.
-- wrk calls done() once, after every thread has stopped, in its own process: /proc/self/stat
-- then holds the CPU time of the whole load generator (all threads), used to check that it was
-- not the bottleneck.

local function cpu_ticks()
  local file = io.open("/proc/self/stat", "r")
  if not file then return -1 end
  local stat = file:read("*a")
  file:close()
  -- Fields after the command name (which may hold spaces) start at field 3 (state); utime and
  -- stime are fields 14 and 15, in clock ticks.
  local rest = stat:match("%) (.*)$")
  if not rest then return -1 end
  local fields = {}
  for value in rest:gmatch("%S+") do fields[#fields + 1] = value end
  return tonumber(fields[12]) + tonumber(fields[13])
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"connect":%d,"read":%d,"write":%d,' ..
      '"status":%d,"timeout":%d,"cpuTicks":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout, cpu_ticks()))
end
