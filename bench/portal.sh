#!/usr/bin/env bash
# The portal's "my lines" page against the API's read of one of those lines
# (GET /api/v1/lines/{msisdn}), both as one signed-in subscriber with four lines, at the same
# connection count in the same run, on the demo's SQLite database: requests/s and p99 latency.
# Everything runs on 127.0.0.1 and stops by itself. Needs wrk and curl.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18100}
OUT=bench/out
mkdir -p "$OUT"
BASE="http://127.0.0.1:$PORT"
if [ -z "${BIN:-}" ]; then
  cargo build --release -q -p simrenew --bin simrenew
  BIN=$PWD/target/release/simrenew
fi
. bench/lib.sh

rm -f "$OUT"/portal.db*
(cd "$OUT" && exec "$BIN" --database-url sqlite:portal.db demo --listen "127.0.0.1:$PORT") \
  >"$OUT/portal-demo.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
wait_up "$BASE"

# The demo's subscriber, signed in with the code the demo writes in its log.
NUMBER=$(grep -o 'sign in as [^+]*with the number +[0-9]*' "$OUT/portal-demo.log" | grep -o '+[0-9]*$')
curl -sf -o /dev/null -H 'Content-Type: application/json' -d "{\"phone\":\"$NUMBER\"}" \
  "$BASE/api/v1/auth/codes"
CODE=""
for _ in $(seq 1 50); do
  CODE=$(grep "$NUMBER" "$OUT/portal-demo.log" | grep -o 'code is [0-9]\{6\}' | tail -1 | grep -o '[0-9]*$' || true)
  [ -n "$CODE" ] && break
  sleep 0.1
done
[ -n "$CODE" ] || { echo "no sign-in code in the demo's log" >&2; exit 1; }
BENCH_SESSION=$(curl -sf -D - -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"phone\":\"$NUMBER\",\"code\":\"$CODE\"}" "$BASE/api/v1/auth/sessions" \
  | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: simrenew_session=\([^;]*\);.*/\1/p' | head -1)
[ -n "$BENCH_SESSION" ] || { echo "signing in gave no session" >&2; exit 1; }
export BENCH_SESSION

measure() { # name path -> requests/s, p99 and non-2xx count
  local log="$OUT/wrk-portal-$1.log"
  BENCH_PATH=$2 wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/portal.lua "$BASE$2" >"$log"
  local rps p99 bad
  rps=$(awk '/Requests\/sec/ {print $2}' "$log")
  p99=$(awk '$1 == "99%" {print $2}' "$log")
  bad=$(awk '/Non-2xx/ {print $5}' "$log")
  echo "$rps $p99 ${bad:-0}"
}
# The page must be the page, not a sign-in redirect.
curl -sf -H "Cookie: simrenew_session=$BENCH_SESSION" "$BASE/en/lines" | grep -q "$NUMBER" \
  || { echo "the my-lines page does not show $NUMBER" >&2; exit 1; }

read -r api_rps api_p99 api_bad <<<"$(measure api "/api/v1/lines/$NUMBER")"
read -r page_rps page_p99 page_bad <<<"$(measure page "/en/lines")"
ratio=$(awk -v a="$page_rps" -v b="$api_rps" 'BEGIN { printf "%.2f", a / b }')

cat <<REPORT | tee "$OUT/portal-results.md"
$(date -u +%Y-%m-%d) on $(nproc) cores, ${CONNECTIONS} connections, ${DURATION} s per figure, SQLite (demo)

| figure | requests/s | p99 | baseline | ratio | target |
|---|---|---|---|---|---|
| my lines page (/en/lines, 4 lines) | $page_rps | $page_p99 | GET /api/v1/lines/{msisdn} $api_rps (p99 $api_p99) | $ratio | ≥ 0.5, p99 < 50 ms |

Non-2xx answers: page $page_bad, API $api_bad.
REPORT
