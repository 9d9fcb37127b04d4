-- wrk script: GET of BENCH_PATH as the subscriber whose session is BENCH_SESSION (the portal's
-- cookie), so that the page and the API read are measured with the same sign-in.
local path = os.getenv("BENCH_PATH")
local cookie = "simrenew_session=" .. os.getenv("BENCH_SESSION")

request = function()
  return wrk.format("GET", path, { ["Cookie"] = cookie, ["Accept-Language"] = "en" })
end
