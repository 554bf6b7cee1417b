-- wrk script for bench/run.py: after a run, print one line "@@BENCH_JSON@@{...}" with the
-- figures run.py needs (latencies in microseconds). wrk's own text report is printed as usual.
-- It defines only `done`, so wrk keeps its fast path (no per-request Lua calls).

local function number(value)
  if value == nil or value ~= value or value == math.huge or value == -math.huge then
    return "null"
  end
  return string.format("%.3f", value)
end

done = function(summary, latency, requests)
  local errors = summary.errors
  local parts = {
    '"duration_us":' .. number(summary.duration),
    '"requests":' .. number(summary.requests),
    '"bytes":' .. number(summary.bytes),
    '"errors":{"connect":' .. number(errors.connect)
      .. ',"read":' .. number(errors.read)
      .. ',"write":' .. number(errors.write)
      .. ',"status":' .. number(errors.status)
      .. ',"timeout":' .. number(errors.timeout) .. '}',
    '"latency_us":{"min":' .. number(latency.min)
      .. ',"mean":' .. number(latency.mean)
      .. ',"stdev":' .. number(latency.stdev)
      .. ',"max":' .. number(latency.max)
      .. ',"p50":' .. number(latency:percentile(50))
      .. ',"p75":' .. number(latency:percentile(75))
      .. ',"p90":' .. number(latency:percentile(90))
      .. ',"p99":' .. number(latency:percentile(99))
      .. ',"p999":' .. number(latency:percentile(99.9)) .. '}',
  }
  io.write("@@BENCH_JSON@@{" .. table.concat(parts, ",") .. "}\n")
end
