-- wrk script: POST a JSON ebook request with a unique email each time, then print a JSON summary.
-- Usage: wrk ... -s post.lua URL -- PREFIX   (PREFIX keeps emails unique across runs)

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

function init(args)
  prefix = args[1] or tostring(os.time())
  counter = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"email": "%s-%d-%d@example.com", "first_name": "Bench", "consent": true, "utm_source": "bench"}',
    prefix, thread_id, counter
  )
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout
  ))
end
