#!/usr/bin/env bash
# Telling the network keeps up with selling, on PostgreSQL, in one run:
#   renewals/s through HTTP (POST /api/v1/orders paid from credit, no network set, so that
#   their outbox rows wait), then the same rows drained by one `simrenew worker` through the
#   network simulator answering after 10 ms (LATENCY_MS), in rows/s. Target: drain ≥ renew.
# Everything runs on 127.0.0.1 and stops by itself. Needs wrk and psql.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20}
CLIENTS=${CLIENTS:-16}
LATENCY_MS=${LATENCY_MS:-10}
PG_ADMIN=${PG_ADMIN:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
PG_BENCH=${PG_ADMIN%/*}/simrenew_provisioning_bench
OUT=bench/out
mkdir -p "$OUT"
export BENCH_NUMBERS="$PWD/$OUT/numbers-provisioning.lua"
export SIMRENEW_AUDIT_KEY=${SIMRENEW_AUDIT_KEY:-the audit key of the benchmark, 32 bytes or more}
export SIMRENEW_LOG=${SIMRENEW_LOG:-warn}
SECRET="the provisioning secret of the benchmark"
. bench/lib.sh

cargo build --release -q -p simrenew --bin simrenew -p simrenew-netsim --bin simrenew-netsim
BIN=target/release/simrenew

psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS simrenew_provisioning_bench" -c "CREATE DATABASE simrenew_provisioning_bench"
$BIN --database-url "$PG_BENCH" demo --seed-only >/dev/null
NOW=$(date +%s)
psql "$PG_BENCH" -qc "UPDATE lines SET state = 'active', credit_cents = 1000000000, \
  expires_at = $((NOW + 86400 * 10)), grace_until = $((NOW + 86400 * 20))"
# What the seed left for the network is not the benchmark's.
psql "$PG_BENCH" -qc "UPDATE outbox SET processed_at = $NOW WHERE processed_at IS NULL"
psql "$PG_BENCH" -qtAc "SELECT l.msisdn || '|' || b.code FROM lines l JOIN brands b ON b.id = l.brand_id" | numbers_from

BENCH_TOKEN=$($BIN --database-url "$PG_BENCH" api-keys create --staff admin@simrenew.example --name bench 2>/dev/null)
export BENCH_TOKEN
$BIN --database-url "$PG_BENCH" serve --listen 127.0.0.1:18081 >"$OUT/server-provisioning.log" 2>&1 &
SERVER=$!
wait_up "http://127.0.0.1:18081"
read -r RENEW_RPS RENEW_BAD <<<"$(wrk_rate renew provisioning "http://127.0.0.1:18081")"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
ROWS=$(psql "$PG_BENCH" -qtAc "SELECT COUNT(*) FROM outbox WHERE processed_at IS NULL AND dead_at IS NULL")

SIMRENEW_NETSIM_SECRET=$SECRET target/release/simrenew-netsim --listen 127.0.0.1:19090 \
  --latency-ms "$LATENCY_MS" >"$OUT/netsim.log" 2>&1 &
NETSIM=$!
sleep 0.5
t0=$(date +%s%3N)
SIMRENEW_PROVISIONING_URL=http://127.0.0.1:19090 SIMRENEW_PROVISIONING_SECRET=$SECRET \
  $BIN --database-url "$PG_BENCH" worker >"$OUT/worker-provisioning.log" 2>&1 &
WORKER=$!
LEFT=$ROWS
for _ in $(seq 1 6000); do
  LEFT=$(psql "$PG_BENCH" -qtAc "SELECT COUNT(*) FROM outbox WHERE processed_at IS NULL AND dead_at IS NULL")
  [ "$LEFT" -eq 0 ] && break
  sleep 0.1
done
DRAIN_MS=$(( $(date +%s%3N) - t0 ))
kill "$WORKER" "$NETSIM"; wait "$WORKER" "$NETSIM" 2>/dev/null || true
DEAD=$(psql "$PG_BENCH" -qtAc "SELECT COUNT(*) FROM outbox WHERE dead_at IS NOT NULL")
DRAIN_RPS=$(awk -v n="$((ROWS - LEFT))" -v ms="$DRAIN_MS" 'BEGIN { printf "%.1f", n * 1000 / ms }')

cat <<REPORT | tee "$OUT/provisioning-results.md"
$(date -u +%Y-%m-%d) on $(nproc) cores, ${CLIENTS} clients for ${DURATION} s, network latency ${LATENCY_MS} ms

| figure | per second | baseline | ratio | target |
|---|---|---|---|---|
| outbox rows drained by one worker | $DRAIN_RPS | renewals/s through HTTP $RENEW_RPS | $(awk -v a="$DRAIN_RPS" -v b="$RENEW_RPS" 'BEGIN { printf "%.2f", a / b }') | ≥ 1 |

Rows: $ROWS written by the renewals ($RENEW_BAD non-2xx answers), $LEFT left, $DEAD dead letters.
REPORT
