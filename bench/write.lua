-- wrk script for bench/run.py's write pages: every request writes a target of its own.
-- BENCH_ITEMS names a file of "path<TAB>body" lines, one target each, shared out between
-- wrk's threads (BENCH_THREADS); BENCH_METHOD is the method, BENCH_CONTENT_TYPE the body's
-- type and BENCH_OK_STATUS the status of an accepted write (200 for a web-service PUT, 302
-- for a browser form's redirect). A thread stops when its targets run out. After the run it
-- prints report.lua's line and "@@BENCH_WRITES@@<n>", the writes the server accepted.

dofile(os.getenv("BENCH_REPORT_LUA"))
local report_done = done
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  items, index, ok = {}, 0, 0
  local n = tonumber(os.getenv("BENCH_THREADS")) or 1
  local i = 0
  for line in io.lines(os.getenv("BENCH_ITEMS")) do
    if line ~= "" then
      if i % n == tid then
        table.insert(items, line)
      end
      i = i + 1
    end
  end
  method = os.getenv("BENCH_METHOD")
  ok_status = tonumber(os.getenv("BENCH_OK_STATUS"))
  headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE")
end

function request()
  index = index + 1
  local item = items[math.min(index, #items)]
  local tab = item:find("\t", 1, true)
  return wrk.format(method, item:sub(1, tab - 1), headers, item:sub(tab + 1))
end

function response(status, hdrs, body)
  if status == ok_status then
    ok = ok + 1
  end
  if index >= #items then
    wrk.thread:stop()
  end
end

done = function(summary, latency, requests)
  report_done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + (thread:get("ok") or 0)
  end
  io.write("@@BENCH_WRITES@@" .. total .. "\n")
end
