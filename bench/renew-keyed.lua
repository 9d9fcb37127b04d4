-- wrk script: renewals through POST /api/v1/orders, paid from credit, on random lines, each
-- with an Idempotency-Key of its own (as a careful client sends them).
local numbers = dofile(os.getenv("BENCH_NUMBERS"))
math.randomseed(os.time())
local token = os.getenv("BENCH_TOKEN") or "none"
local threads = 0
local sent = 0
tag = "t"

function setup(thread)
  threads = threads + 1
  thread:set("tag", "t" .. threads .. "-" .. os.time())
end

request = function()
  sent = sent + 1
  local n = numbers[math.random(#numbers)]
  local body = '{"msisdn":"' .. n[1] .. '","plan":"' .. n[2] ..
    '","periods":1,"payment":{"method":"credit"}}'
  return wrk.format("POST", "/api/v1/orders", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = "bench-" .. tag .. "-" .. sent,
  }, body)
end
