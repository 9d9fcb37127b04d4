#!/usr/bin/env bash
# Usage import on PostgreSQL, beside its baseline in the same run:
#   `simrenew import usage FILE.csv` of RECORDS records (default 1,000,000) over the demo's
#   lines, against `COPY` of the same file into a plain table of five columns on the same
#   server, in ROUNDS rounds on fresh copies of the demo's data (the median ratio); then the
#   same file imported again (every record a repeat).
# Everything runs on 127.0.0.1 and stops by itself. Needs psql and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

RECORDS=${RECORDS:-1000000}
ROUNDS=${ROUNDS:-3}
PG_ADMIN=${PG_ADMIN:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
PG_BENCH=${PG_ADMIN%/*}/simrenew_usage_bench
OUT=bench/out
mkdir -p "$OUT"
export SIMRENEW_AUDIT_KEY=${SIMRENEW_AUDIT_KEY:-the audit key of the benchmark, 32 bytes or more}
export SIMRENEW_LOG=${SIMRENEW_LOG:-warn}

cargo build --release -q -p simrenew --bin simrenew
BIN=target/release/simrenew

# The demo's data once, as the template of each round's database.
PG_SEED=${PG_ADMIN%/*}/simrenew_usage_seed
psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS simrenew_usage_bench" \
  -c "DROP DATABASE IF EXISTS simrenew_usage_seed" -c "CREATE DATABASE simrenew_usage_seed"
$BIN --database-url "$PG_SEED" demo --seed-only >/dev/null
psql "$PG_SEED" -qtAc "SELECT msisdn FROM lines ORDER BY id" >"$OUT/usage-numbers.txt"
LINES=$(wc -l <"$OUT/usage-numbers.txt")

FILE="$OUT/usage-$RECORDS.csv"
python3 - "$OUT/usage-numbers.txt" "$FILE" "$RECORDS" <<'PY'
import sys, datetime
numbers = [l.strip() for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[3])
end = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
start = end - datetime.timedelta(minutes=15)
s, e = start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")
with open(sys.argv[2], "w") as f:
    f.write("record_id,msisdn,start,end,bytes\n")
    for i in range(n):
        f.write(f"bench-{i:09d},{numbers[i % len(numbers)]},{s},{e},{1000 + i % 5000}\n")
PY

now_ms() { date +%s%3N; }

# ROUNDS rounds, each on a fresh copy of the demo's data: the baseline (the same rows into a
# plain table), then the import. The figure is the round of the median ratio (a round
# disturbed by the machine moves one ratio, not the figure).
: >"$OUT/usage-rounds.log"
pairs=()
for i in $(seq 1 "$ROUNDS"); do
  psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS simrenew_usage_bench" \
    -c "CREATE DATABASE simrenew_usage_bench TEMPLATE simrenew_usage_seed"
  psql "$PG_BENCH" -qc "CREATE TABLE usage_copy (record_id TEXT, msisdn TEXT, started TEXT, ended TEXT, bytes BIGINT)" -c "CHECKPOINT"
  t0=$(now_ms)
  psql "$PG_BENCH" -qc "\\copy usage_copy FROM '$FILE' WITH (FORMAT csv, HEADER true)"
  copy_ms=$(( $(now_ms) - t0 ))
  psql "$PG_BENCH" -qc "CHECKPOINT"
  t0=$(now_ms)
  $BIN --database-url "$PG_BENCH" import usage "$FILE" --rejects "$OUT/usage-rejects.csv" >"$OUT/usage-import.log"
  import_ms=$(( $(now_ms) - t0 ))
  pairs+=("$(awk -v a="$copy_ms" -v b="$import_ms" 'BEGIN { printf "%.4f", a / b }') $copy_ms $import_ms")
  echo "round $i: COPY $copy_ms ms, import $import_ms ms" >>"$OUT/usage-rounds.log"
done
read -r _ COPY_MS IMPORT_MS <<<"$(printf '%s\n' "${pairs[@]}" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")"

t0=$(now_ms)
$BIN --database-url "$PG_BENCH" import usage "$FILE" --rejects "$OUT/usage-rejects.csv" >"$OUT/usage-again.log"
AGAIN_MS=$(( $(now_ms) - t0 ))
COUNTED=$(psql "$PG_BENCH" -qtAc "SELECT COUNT(*) FROM usage_records")

rate() { awk -v n="$RECORDS" -v ms="$1" 'BEGIN { printf "%.0f", n * 1000 / ms }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b / a }'; }

cat <<REPORT | tee "$OUT/usage-results.md"
$(date -u +%Y-%m-%d) on $(nproc) cores, $RECORDS records over $LINES lines; the median of $ROUNDS rounds
($(paste -sd ';' "$OUT/usage-rounds.log" | sed 's/;/; /g'))

| figure | records/s | baseline | ratio | target |
|---|---|---|---|---|
| \`simrenew import usage\`, PostgreSQL | $(rate "$IMPORT_MS") | COPY into a plain table $(rate "$COPY_MS") | $(ratio "$IMPORT_MS" "$COPY_MS") | ≥ 0.5 |
| the same file again (all repeats) | $(rate "$AGAIN_MS") | COPY $(rate "$COPY_MS") | $(ratio "$AGAIN_MS" "$COPY_MS") | — |

Records kept: $COUNTED. $(head -c 300 "$OUT/usage-import.log")
REPORT
