# What the benchmark scripts share; sourced, with OUT, CLIENTS, DURATION and BENCH_NUMBERS set.

wrk_rate() { # script url -> requests/s and non-2xx count
  local log="$OUT/wrk-$1-$2.log"
  wrk -t2 -c"$CLIENTS" -d"${DURATION}s" -s "bench/$1.lua" "$3" >"$log"
  local rps non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$log")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$log")
  echo "$rps ${non2xx:-0}"
}

wait_up() {
  for _ in $(seq 1 100); do
    curl -sf "$1/healthz" >/dev/null 2>&1 && return 0
    curl -s -o /dev/null "$1/api/v1/lines/x" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "server at $1 did not start" >&2
  return 1
}

numbers_from() { # a list of "msisdn|brand" lines -> lua table
  { echo "return {"; awk -F'|' '{printf "{\"%s\",\"%s-5GB-30D\"},\n", $1, toupper($2)}'; echo "}"; } >"$BENCH_NUMBERS"
}
