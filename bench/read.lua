-- wrk script: GET /api/v1/lines/{msisdn} on random lines.
local numbers = dofile(os.getenv("BENCH_NUMBERS"))
local token = os.getenv("BENCH_TOKEN") or "none"
math.randomseed(os.time())

request = function()
  local n = numbers[math.random(#numbers)]
  return wrk.format("GET", "/api/v1/lines/" .. n[1], {
    ["Authorization"] = "Bearer " .. token,
  })
end
