-- Evenly paced (open loop) requests for wrk: RATE requests per second over all connections.
-- Every connection that is free asks delay() for the next free slot of one global schedule
-- (start + i / RATE), so sends stay evenly spaced whatever the answers do, as long as some
-- connection is free. A send that cannot start on time (every connection busy) is counted as
-- late: wrk measures latency from the actual send, so late sends would hide a stall.
-- Prints one JSON line at the end: requests, seconds, latency percentiles (ms), errors.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local now_ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_ts)
  return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end

local interval = 1000 / tonumber(os.getenv("RATE"))
local next_slot = nil
late = 0
worst_late_ms = 0

function delay()
  local t = now_ms()
  if next_slot == nil then next_slot = t end
  next_slot = next_slot + interval
  if next_slot < t - 1 then
    late = late + 1
    if t - next_slot > worst_late_ms then worst_late_ms = t - next_slot end
    next_slot = t
  end
  return math.max(0, math.floor(next_slot - t + 0.5))
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local late_total, worst = 0, 0
  for _, thread in ipairs(threads) do
    late_total = late_total + thread:get("late")
    worst = math.max(worst, thread:get("worst_late_ms"))
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f,"non2xx":%d,"errors":%d,"lateSends":%d,"worstLateMs":%.1f}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, late_total, worst))
end
