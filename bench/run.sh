#!/usr/bin/env bash
# Measures in one run, each figure beside its baseline:
#   (renewals twice: without and with an Idempotency-Key per request, bench/renew-keyed.lua)
#   renewals/s through HTTP (POST /api/v1/orders paid from credit) on SQLite and PostgreSQL,
#     against pgbench's built-in tpcb-like transaction at the same client count on the same
#     PostgreSQL (on PostgreSQL in ROUNDS rounds, each followed by one of pgbench: the median
#     ratio);
#   GET /api/v1/lines/{msisdn} requests/s on SQLite and PostgreSQL, against a minimal axum
#     handler (crates/simrenew-http/examples/bench_baseline.rs);
#   the server's peak resident memory (VmHWM) during the load.
# Everything runs on 127.0.0.1 and stops by itself. Needs wrk, pgbench, psql, sqlite3.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20}
CLIENTS=${CLIENTS:-16}
ROUNDS=${ROUNDS:-3}
PG_ADMIN=${PG_ADMIN:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
PG_BENCH=${PG_ADMIN%/*}/simrenew_bench
PGBENCH_DB=${PG_ADMIN%/*}/pgbench_bench
OUT=bench/out
mkdir -p "$OUT"
export BENCH_NUMBERS="$PWD/$OUT/numbers.lua"
# The keys of the benchmark's databases (serve refuses to start without an audit key; the
# sealing key seals the answers kept for idempotency keys, as in production).
export SIMRENEW_AUDIT_KEY=${SIMRENEW_AUDIT_KEY:-the audit key of the benchmark, 32 bytes or more}
export SIMRENEW_SEALING_KEY=${SIMRENEW_SEALING_KEY:-the sealing key of the benchmark, 32 bytes or more}
export SIMRENEW_DOCUMENT_KEY=${SIMRENEW_DOCUMENT_KEY:-the document key of the benchmark, 32 bytes or more}
export SIMRENEW_VOUCHER_KEY=${SIMRENEW_VOUCHER_KEY:-the voucher key of the benchmark, 32 bytes or more}

cargo build --release -q -p simrenew --bin simrenew
cargo build --release -q -p simrenew-http --example bench_baseline
BIN=target/release/simrenew

. bench/lib.sh

NOW=$(date +%s)
PREP="UPDATE lines SET state = 'active', credit_cents = 1000000000, \
  expires_at = $((NOW + 86400 * 10)), grace_until = $((NOW + 86400 * 20))"
LIST="SELECT l.msisdn || '|' || b.code FROM lines l JOIN brands b ON b.id = l.brand_id"

# pgbench tpcb-like at the same client count on the same server: its database first, so that
# its rounds can alternate with the renewals'.
pgbench_tps() {
  pgbench -c "$CLIENTS" -j 2 -T "$DURATION" -b tpcb-like "$PGBENCH_DB" >"$OUT/pgbench.log" 2>&1
  awk '/^tps/ {print $3; exit}' "$OUT/pgbench.log"
}

# Renewals on PostgreSQL in ROUNDS rounds, each followed by a round of pgbench: the ratio of
# each pair, and the pair of the median ratio (a round disturbed by the machine moves one
# pair, not the figure).
renew_rounds() { # url
  local i rps bad tps pairs=()
  for i in $(seq 1 "$ROUNDS"); do
    read -r rps bad <<<"$(wrk_rate renew "postgres-$i" "$1")"
    tps=$(pgbench_tps)
    pairs+=("$(awk -v a="$rps" -v b="$tps" 'BEGIN { printf "%.4f", a / b }') $rps $bad $tps")
    echo "round $i: renewals $rps/s, pgbench $tps tps" >>"$OUT/rounds.log"
  done
  printf '%s\n' "${pairs[@]}" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p"
}

run_backend() { # name url
  local name=$1 url=$2 port=18080
  BENCH_TOKEN=$($BIN --database-url "$url" api-keys create --staff admin@simrenew.example \
    --name bench 2>/dev/null)
  export BENCH_TOKEN
  $BIN --database-url "$url" serve --listen 127.0.0.1:$port >"$OUT/server-$name.log" 2>&1 &
  local pid=$!
  wait_up "http://127.0.0.1:$port"
  # Reads first, so that they do not measure the database digesting the renewals' writes.
  read -r read_rps read_bad <<<"$(wrk_rate read "$name" "http://127.0.0.1:$port")"
  local renew_rps renew_bad tps=-
  if [ "$name" = postgres ]; then
    read -r _ renew_rps renew_bad tps <<<"$(renew_rounds "http://127.0.0.1:$port")"
  else
    read -r renew_rps renew_bad <<<"$(wrk_rate renew "$name" "http://127.0.0.1:$port")"
  fi
  read -r keyed_rps keyed_bad <<<"$(wrk_rate renew-keyed "$name" "http://127.0.0.1:$port")"
  local hwm
  hwm=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$name $renew_rps $renew_bad $read_rps $read_bad $hwm $keyed_rps $keyed_bad $tps"
}

psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS pgbench_bench" -c "CREATE DATABASE pgbench_bench"
pgbench -q -i -s 10 "$PGBENCH_DB" >"$OUT/pgbench-init.log" 2>&1
: >"$OUT/rounds.log"

# SQLite
rm -f "$OUT"/bench.db*
$BIN --database-url "sqlite:$OUT/bench.db" demo --seed-only >/dev/null
sqlite3 "$OUT/bench.db" "$PREP"
sqlite3 "$OUT/bench.db" "$LIST" | numbers_from
SQLITE=$(run_backend sqlite "sqlite:$OUT/bench.db")

# PostgreSQL
psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS simrenew_bench" -c "CREATE DATABASE simrenew_bench"
$BIN --database-url "$PG_BENCH" demo --seed-only >/dev/null
psql "$PG_BENCH" -qc "$PREP"
POSTGRES=$(run_backend postgres "$PG_BENCH")

# The minimal axum handler.
target/release/examples/bench_baseline 127.0.0.1:18090 >/dev/null 2>&1 &
BASE_PID=$!
wait_up "http://127.0.0.1:18090"
read -r BASE_RPS _ <<<"$(wrk_rate read baseline "http://127.0.0.1:18090")"
kill "$BASE_PID"; wait "$BASE_PID" 2>/dev/null || true

read -r _ s_renew s_renew_bad s_read s_read_bad s_mem s_keyed s_keyed_bad _ <<<"$SQLITE"
read -r _ p_renew p_renew_bad p_read p_read_bad p_mem p_keyed p_keyed_bad TPS <<<"$POSTGRES"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

cat <<REPORT | tee "$OUT/results.md"
$(date -u +%Y-%m-%d) on $(nproc) cores, ${CLIENTS} clients, ${DURATION} s per figure; renewals on
PostgreSQL: the median of $ROUNDS rounds, each beside a round of pgbench
($(paste -sd ';' "$OUT/rounds.log" | sed 's/;/; /g'))

| figure | value | baseline | ratio | target |
|---|---|---|---|---|
| renewals/s, PostgreSQL (HTTP) | $p_renew | pgbench tpcb-like $TPS tps | $(ratio "$p_renew" "$TPS") | ≥ 0.5 |
| renewals/s, SQLite (HTTP) | $s_renew | pgbench tpcb-like $TPS tps | $(ratio "$s_renew" "$TPS") | — |
| renewals/s with an Idempotency-Key each, PostgreSQL | $p_keyed | pgbench tpcb-like $TPS tps | $(ratio "$p_keyed" "$TPS") | — |
| renewals/s with an Idempotency-Key each, SQLite | $s_keyed | pgbench tpcb-like $TPS tps | $(ratio "$s_keyed" "$TPS") | — |
| line reads/s, PostgreSQL | $p_read | minimal axum handler $BASE_RPS | $(ratio "$p_read" "$BASE_RPS") | ≥ 0.6 |
| line reads/s, SQLite | $s_read | minimal axum handler $BASE_RPS | $(ratio "$s_read" "$BASE_RPS") | ≥ 0.6 |
| server peak memory, PostgreSQL | $p_mem MB | | | < 100 MB |
| server peak memory, SQLite | $s_mem MB | | | < 100 MB |

Non-2xx answers: renewals $p_renew_bad (PostgreSQL), $s_renew_bad (SQLite); with keys $p_keyed_bad, $s_keyed_bad; reads $p_read_bad, $s_read_bad.
REPORT
