-- wrk script for bench/run.py's write pages: every request writes a target of its own.
-- BENCH_ITEMS names a file of "path<TAB>body" lines, one target each, shared out between
-- wrk's threads (BENCH_THREADS); BENCH_METHOD is the method, BENCH_CONTENT_TYPE the body's
-- type and BENCH_OK_STATUS the status of an accepted write (200 for a web-service PUT, 302
-- for a browser form's redirect); a redirect's Location must also match the Lua pattern
-- BENCH_OK_LOCATION when it is set (the issued prescription, not the login page). Any other
-- answer is a refusal: a form re-rendered with its errors (200) among them. When a thread's
-- targets are all answered it creates the file BENCH_OUT.<thread number>; once every thread
-- has, run.py ends the run with SIGINT (on which wrk reports as at the end of its duration).
-- Meanwhile a thread never stops on its own: a stopped thread's connections stay open and
-- idle, each holding a sync worker of gunicorn until its timeout.
-- After the run it prints report.lua's line,
-- "@@BENCH_WRITES@@<n>" (the writes the server accepted), "@@BENCH_REJECTED@@<n>" (those it
-- refused) and "@@BENCH_SAMPLE@@<status> <message>" (the first refusal, when any).

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
  items, index, answered, ok, rejected = {}, 0, 0, 0, 0
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
  ok_location = os.getenv("BENCH_OK_LOCATION") or ""
  headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE")
end

-- Once every target is sent, a connection still asking gets GET /healthz (no write), whose
-- answer is not counted, until run.py ends the run (every thread's targets answered).
local IDLE = "/healthz"
local IDLE_ANSWER = '^{"status": "ok", "database"'

function request()
  index = index + 1
  if index > #items then
    return wrk.format("GET", IDLE)
  end
  local item = items[index]
  local tab = item:find("\t", 1, true)
  return wrk.format(method, item:sub(1, tab - 1), headers, item:sub(tab + 1))
end

-- What a refusal says: the first message beside a field or in an alert of a re-rendered
-- form, the Location of a redirect, or the start of any other body.
local function reason(status, hdrs, body)
  local location = hdrs["Location"] or hdrs["location"]
  if location then
    return status .. " -> " .. location
  end
  local text = body:match('invalid%-feedback[^>]*>%s*([^<]+)')
    or body:match('alert%-danger[^>]*>%s*([^<]+)')
    or body:sub(1, 200)
  return status .. " " .. text:gsub("%s+", " ")
end

function response(status, hdrs, body)
  if index > #items and status == 200 and body:find(IDLE_ANSWER) then
    return
  end
  answered = answered + 1
  local location = hdrs["Location"] or hdrs["location"] or ""
  if status == ok_status and (ok_location == "" or location:find(ok_location)) then
    ok = ok + 1
  else
    rejected = rejected + 1
    if sample == nil then
      sample = reason(status, hdrs, body)
    end
  end
  -- wrk builds thread 0's first request once only to check it (never sent).
  if not finished and answered >= #items - (tid == 0 and 1 or 0) then
    finished = true
    local out = io.open(os.getenv("BENCH_OUT") .. "." .. tid, "w")
    if out then
      out:close()
    end
  end
end

done = function(summary, latency, requests)
  report_done(summary, latency, requests)
  local total, refused, first = 0, 0, nil
  for _, thread in ipairs(threads) do
    total = total + (thread:get("ok") or 0)
    refused = refused + (thread:get("rejected") or 0)
    first = first or thread:get("sample")
  end
  io.write("@@BENCH_WRITES@@" .. total .. "\n")
  io.write("@@BENCH_REJECTED@@" .. refused .. "\n")
  if first then
    io.write("@@BENCH_SAMPLE@@" .. first .. "\n")
  end
end
