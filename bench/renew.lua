-- wrk script: renewals through POST /api/v1/orders, paid from credit, on random lines.
local numbers = dofile(os.getenv("BENCH_NUMBERS"))
local token = os.getenv("BENCH_TOKEN") or "none"
math.randomseed(os.time())

request = function()
  local n = numbers[math.random(#numbers)]
  local body = '{"msisdn":"' .. n[1] .. '","plan":"' .. n[2] ..
    '","periods":1,"payment":{"method":"credit"}}'
  return wrk.format("POST", "/api/v1/orders", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
