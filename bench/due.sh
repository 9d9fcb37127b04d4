#!/usr/bin/env bash
# One day's due work over LINES lines (default 1,000,000) on PostgreSQL, in one run:
#   finding and enqueuing it — the lines claimed for automatic renewal, the lines moved to grace
#   and lapsed with their outbox rows, each brand's reminders planned, then claimed for sending
#   — through the store calls `simrenew worker` makes (`crates/simrenew/examples/due_work.rs`),
#   against the bare SQL SELECT of the same rows (same conditions, no LIMIT) on the same
#   database; then the whole day worked through by `simrenew worker --once --now`, reminders
#   sent to the demo's message file, in minutes.
# The lines expire evenly over 30 days back and 60 ahead in the brands' zone, in the state the
# worker left them yesterday (reminders of the step due then already sent, auto-renewals due
# then renewed or stopped): "today" is 09:00 in Brussels tomorrow.
# Everything runs on 127.0.0.1 and stops by itself. Needs psql.
set -euo pipefail
cd "$(dirname "$0")/.."

LINES=${LINES:-1000000}
PG_ADMIN=${PG_ADMIN:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
PG=${PG_ADMIN%/*}
OUT=bench/out
mkdir -p "$OUT"
export SIMRENEW_AUDIT_KEY=${SIMRENEW_AUDIT_KEY:-the audit key of the benchmark, 32 bytes or more}
export SIMRENEW_LOG=${SIMRENEW_LOG:-warn}
unset SIMRENEW_SMTP_URL SIMRENEW_SMS_BASE_URL SIMRENEW_PROVISIONING_URL SIMRENEW_SMDP_URL

timeout 1800 cargo build --release -q -p simrenew --bin simrenew --example due_work
BIN=$PWD/target/release/simrenew
DUE=$PWD/target/release/examples/due_work

DBS="due_bench_seed due_bench_find due_bench_day"
drop_all() { for d in $DBS; do psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $d" 2>/dev/null || true; done; }
# KEEP=1 keeps the databases for a look at their plans.
trap '[ -n "${KEEP:-}" ] || drop_all' EXIT
drop_all
psql "$PG_ADMIN" -qc "CREATE DATABASE due_bench_seed"

# "Today": 09:00 in Brussels tomorrow, after the SMS quiet hours.
NOW=$(TZ=Europe/Brussels date -d 'tomorrow 09:00' +%s)
NOW_RFC=$(date -u -d "@$NOW" +%Y-%m-%dT%H:%M:%SZ)
now_ms() { date +%s%3N; }

# The schema, the demo's brands, plans and stores (the demo writes its files where it runs).
DIR=$PWD/$OUT/due-demo
rm -rf "$DIR" && mkdir -p "$DIR"
(cd "$DIR" && timeout 300 "$BIN" --database-url "$PG/due_bench_seed" demo --seed-only >/dev/null)

t0=$(now_ms)
timeout 1800 psql "$PG/due_bench_seed" -v ON_ERROR_STOP=1 -q -v now="$NOW" -v n="$LINES" <<'SQL'
CREATE FUNCTION pg_temp.luhn(body TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT ((10 - SUM(CASE WHEN (length(body) - p) % 2 = 0
      THEN (substr(body, p, 1)::INT * 2) / 10 + (substr(body, p, 1)::INT * 2) % 10
      ELSE substr(body, p, 1)::INT END) % 10) % 10)::TEXT
  FROM generate_series(1, length(body)) AS p
$$;
SELECT COALESCE(MAX(id), 0) AS sb FROM subscribers \gset
SELECT COALESCE(MAX(id), 0) AS lb FROM lines \gset
SELECT :now - 86400 AS yesterday \gset
CREATE TEMP TABLE b AS
  SELECT (ROW_NUMBER() OVER (ORDER BY id) - 1) % 3 AS k, id, code, UPPER(code) AS up, grace_days
  FROM brands ORDER BY id LIMIT 3;
-- Expiries evenly over [today - 30 days, today + 60 days); one line in five renews
-- automatically from its credit.
CREATE TEMP TABLE g AS
  SELECT i, b.id AS brand_id, b.code, b.up, b.grace_days,
         :now - 30 * 86400 + (i::BIGINT * 2654435761) % (90 * 86400) AS e,
         i % 5 = 0 AS ar
  FROM generate_series(1, :n) AS i JOIN b ON b.k = i % 3;
ALTER TABLE g ADD COLUMN g_until BIGINT;
UPDATE g SET g_until = e + grace_days * 86400;
-- Each line's state as yesterday's worker left it.
ALTER TABLE g ADD COLUMN state TEXT;
UPDATE g SET state = CASE WHEN i % 100 = 99 THEN 'suspended' WHEN e > :yesterday THEN 'active'
                          WHEN g_until > :yesterday THEN 'grace' ELSE 'lapsed' END;

INSERT INTO subscribers (id, brand_id, name, email, language, created_at)
SELECT :sb + i, brand_id, 'Subscriber ' || i,
       CASE WHEN i % 10 <> 0 THEN 'subscriber.' || i || '@mail.example' END,
       (ARRAY['nl', 'fr', 'de', 'en', 'zh'])[1 + i % 5], :now - 400 * 86400
FROM g;

INSERT INTO lines (id, brand_id, subscriber_id, msisdn, kind, iccid, state, expires_at,
                   grace_until, credit_cents, currency, auto_renew, created_at, lapsed_at,
                   network_suspended_at, auto_renew_plan, auto_renew_attempts)
SELECT :lb + i, brand_id, :sb + i, '+3246' || LPAD(i::TEXT, 7, '0'), kind,
       CASE WHEN kind <> 'virtual_sim' THEN body || pg_temp.luhn(body) END,
       state, e, g_until, CASE WHEN ar THEN 5000 ELSE (i % 7) * 100 END, 'EUR', ar,
       :now - 400 * 86400,
       CASE WHEN state = 'lapsed' THEN g_until END, CASE WHEN state = 'lapsed' THEN g_until END,
       CASE WHEN ar THEN up || '-5GB-30D' END,
       -- Due before today: renewed (its expiry moved on) or stopped after its retries.
       CASE WHEN ar AND e <= :now THEN 3 ELSE 0 END
FROM (SELECT g.*, '8932099' || LPAD(i::TEXT, 12, '0') AS body,
             CASE code WHEN 'voyago' THEN 'esim'
                       WHEN 'pralino' THEN (ARRAY['physical_sim', 'virtual_sim'])[1 + (i / 3) % 2]
                       ELSE (ARRAY['physical_sim', 'esim', 'virtual_sim'])[1 + (i / 3) % 3] END AS kind
      FROM g) AS x;
\o /dev/null
SELECT setval(pg_get_serial_sequence('subscribers', 'id'), (SELECT MAX(id) FROM subscribers));
SELECT setval(pg_get_serial_sequence('lines', 'id'), (SELECT MAX(id) FROM lines));
\o

INSERT INTO bundles (brand_id, line_id, plan_code, data_mb, starts_at, ends_at, created_at)
SELECT brand_id, :lb + i, up || '-5GB-30D', 5000, e - 30 * 86400, e, e - 30 * 86400 FROM g;

-- The reminders of the step due yesterday, sent (by e-mail when there is an address, and SMS).
INSERT INTO reminders (brand_id, line_id, subscriber_id, expires_at, step, channel, state,
                       due_at, attempts, created_at, claimed_at, sent_at)
SELECT brand_id, :lb + i, :sb + i, e, step, ch, 'sent', :yesterday, 1, :yesterday, :yesterday,
       :yesterday
FROM (SELECT g.*, CASE WHEN e + 86400 <= :yesterday THEN -1 WHEN e <= :yesterday THEN 0
                       WHEN e - 86400 <= :yesterday THEN 1 WHEN e - 3 * 86400 <= :yesterday THEN 3
                       WHEN e - 7 * 86400 <= :yesterday THEN 7
                       WHEN e - 14 * 86400 <= :yesterday THEN 14 END AS step
      FROM g WHERE state IN ('active', 'grace')) AS r
CROSS JOIN (VALUES ('email'), ('sms')) AS c (ch)
WHERE step IS NOT NULL AND (NOT ar OR step <= 0) AND (ch = 'sms' OR i % 10 <> 0);

-- The demo's price change was noticed when it was published: not a day's work.
UPDATE catalog_versions SET noticed_at = published_at WHERE noticed_at IS NULL;
SQL
# Vacuumed as a database in service is (visibility map set), then its statistics.
psql "$PG/due_bench_seed" -qc "VACUUM ANALYZE"
SEED_MS=$(( $(now_ms) - t0 ))
TOTAL_LINES=$(psql "$PG/due_bench_seed" -qtAc "SELECT COUNT(*) FROM lines")
psql "$PG_ADMIN" -qc "CREATE DATABASE due_bench_find TEMPLATE due_bench_seed" \
  -c "CREATE DATABASE due_bench_day TEMPLATE due_bench_seed"

# The bare SELECTs, each run twice on the same database; the second (warm) time counts.
bare() { # name sql [settings] -> milliseconds of the second run
  local log="$OUT/due-bare-$1.log"
  timeout 600 psql "$PG/due_bench_find" -X -q >"$log" <<SQL
${3:-}
\\timing on
\\o /dev/null
$2;
$2;
SQL
  awk '/^Time:/ {t = $2} END {printf "%.1f", t}' "$log"
}
least() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (a < b ? a : b) }'; }
rows_of() { timeout 600 psql "$PG/due_bench_find" -X -qtAc "SELECT COUNT(*) FROM ($1) AS q"; }

RENEW_SQL="SELECT id, brand_id, msisdn, expires_at, auto_renew_method_id, subscriber_id, \
auto_renew_plan, auto_renew_attempts FROM lines WHERE auto_renew = TRUE AND auto_renew_plan IS NOT NULL \
AND state IN ('active', 'grace') AND expires_at IS NOT NULL AND expires_at <= $((NOW + 86400)) \
AND (grace_until IS NULL OR grace_until > $NOW) AND ((auto_renew_attempts = 0 AND \
auto_renew_next_at IS NULL) OR auto_renew_next_at <= $NOW) ORDER BY expires_at, id"
GRACE_SQL="SELECT id FROM lines WHERE state = 'active' AND expires_at <= $NOW AND grace_until > $NOW \
ORDER BY id"
LAPSE_SQL="SELECT id, brand_id, msisdn FROM lines WHERE state IN ('active', 'grace') AND \
expires_at <= $NOW AND (grace_until IS NULL OR grace_until <= $NOW) ORDER BY id"
# Each brand's schedule, as the worker walks it: step s takes the lines expiring in
# (now + next smaller step - 2 h, now + s + 2 h] without a reminder of s or a later step.
REMIND_SQL=$(psql "$PG/due_bench_find" -X -qtA -F' ' -c "SELECT id, reminder_days FROM brands ORDER BY id" |
  while read -r brand days; do
    steps=$(tr ',' '\n' <<<"$days" | sort -n | uniq)
    prev=""
    for s in $steps; do
      until=$((NOW + s * 86400 + 7200))
      after=$([ -n "$prev" ] && echo $((NOW + prev * 86400 - 7200)) || echo -9223372036854775808)
      echo "SELECT l.id, l.subscriber_id, l.expires_at, l.grace_until, s.email FROM lines l \
JOIN subscribers s ON s.id = l.subscriber_id WHERE l.brand_id = $brand AND \
l.state IN ('active', 'grace') AND l.expires_at IS NOT NULL AND l.expires_at <= $until \
AND l.expires_at > $after AND s.erased_at IS NULL AND (l.auto_renew = FALSE OR $s <= 0) \
AND NOT EXISTS (SELECT 1 FROM reminders r WHERE r.line_id = l.id AND r.expires_at = l.expires_at \
AND r.step <= $s)"
      prev=$s
    done
  done | paste -sd'|' | sed 's/|/ UNION ALL /g')
CLAIM_SQL="SELECT id FROM reminders WHERE state = 'pending' AND due_at <= $NOW ORDER BY due_at, id"

BARE_RENEW_MS=$(bare renewals "$RENEW_SQL"); BARE_RENEW_ROWS=$(rows_of "$RENEW_SQL")
BARE_GRACE_MS=$(bare grace "$GRACE_SQL"); BARE_GRACE_ROWS=$(rows_of "$GRACE_SQL")
BARE_LAPSE_MS=$(bare lapse "$LAPSE_SQL"); BARE_LAPSE_ROWS=$(rows_of "$LAPSE_SQL")
# PostgreSQL's own plan for the schedule's windows joins every subscriber by hash (it expects
# four times the lines it finds); the index lookups the store's batches get are faster, and the
# faster of the two is the baseline.
BARE_REMIND_PLANNED_MS=$(bare reminders "$REMIND_SQL")
BARE_REMIND_NESTED_MS=$(bare reminders-nested "$REMIND_SQL" \
  "SET enable_hashjoin = off; SET enable_mergejoin = off;")
BARE_REMIND_MS=$(least "$BARE_REMIND_PLANNED_MS" "$BARE_REMIND_NESTED_MS")
BARE_REMIND_ROWS=$(rows_of "$REMIND_SQL")
BARE_LIFE_MS=$(awk -v a="$BARE_GRACE_MS" -v b="$BARE_LAPSE_MS" 'BEGIN { printf "%.1f", a + b }')

# The store's calls, in the worker's order and batch sizes.
phase() { timeout 1800 "$DUE" "$PG/due_bench_find" "$NOW_RFC" "$1" | tee -a "$OUT/due-phases.txt"; }
rm -f "$OUT/due-phases.txt"
read -r _ RENEW_ROWS RENEW_MS <<<"$(phase renewals)"
read -r _ LIFE_ROWS LIFE_MS <<<"$(phase lifecycle)"
read -r _ REMIND_ROWS REMIND_MS <<<"$(phase reminders)"
BARE_CLAIM_MS=$(bare claims "$CLAIM_SQL"); BARE_CLAIM_ROWS=$(rows_of "$CLAIM_SQL")
read -r _ CLAIM_ROWS CLAIM_MS <<<"$(phase claims)"

# The whole day by the worker, sending included (the demo's message file), from a fresh copy.
t0=$(now_ms)
# A worker stopped (by the timeout, DAY_LIMIT seconds) still gives what it did by then.
DAY_RC=0
(cd "$DIR" && rm -f simrenew-demo-messages.txt &&
  SIMRENEW_LOG=info timeout "${DAY_LIMIT:-3600}" "$BIN" --database-url "$PG/due_bench_day" worker \
    --once --now "$NOW_RFC" >"$PWD/../due-worker.log" 2>&1) || DAY_RC=$?
DAY_MS=$(( $(now_ms) - t0 ))
DAY=$(psql "$PG/due_bench_day" -X -qtA -F' ' -c "SELECT \
  (SELECT COUNT(*) FROM orders WHERE channel = 'auto_renew'), \
  (SELECT COUNT(*) FROM lines WHERE state = 'grace' AND expires_at > $((NOW - 86400)) AND expires_at <= $NOW), \
  (SELECT COUNT(*) FROM outbox WHERE topic = 'line_suspended' AND created_at = $NOW), \
  (SELECT COUNT(*) FROM reminders WHERE state = 'sent' AND sent_at >= $NOW), \
  (SELECT COUNT(*) FROM reminders WHERE state <> 'sent')")
read -r DAY_RENEWED DAY_GRACE DAY_LAPSED DAY_SENT DAY_UNSENT <<<"$DAY"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }'; }
ms() { awk -v t="$1" 'BEGIN { printf "%.0f ms", t }'; }
FIND_MS=$((RENEW_MS + LIFE_MS + REMIND_MS))
BARE_FIND_MS=$(awk -v a="$BARE_RENEW_MS" -v b="$BARE_LIFE_MS" -v c="$BARE_REMIND_MS" 'BEGIN { printf "%.1f", a + b + c }')

cat <<REPORT | tee "$OUT/due-results.md"
$(date -u +%Y-%m-%d) on $(nproc) cores, $TOTAL_LINES lines (seeded in $((SEED_MS / 1000)) s), today $NOW_RFC

| figure | rows | time | baseline (bare SELECT, rows) | ratio | target |
|---|---|---|---|---|---|
| renewals claimed | $RENEW_ROWS | $(ms "$RENEW_MS") | $(ms "$BARE_RENEW_MS") ($BARE_RENEW_ROWS) | $(ratio "$RENEW_MS" "$BARE_RENEW_MS") | — |
| lines moved to grace and lapsed | $LIFE_ROWS | $(ms "$LIFE_MS") | $(ms "$BARE_LIFE_MS") ($BARE_GRACE_ROWS + $BARE_LAPSE_ROWS) | $(ratio "$LIFE_MS" "$BARE_LIFE_MS") | — |
| reminders planned | $REMIND_ROWS | $(ms "$REMIND_MS") | $(ms "$BARE_REMIND_MS") ($BARE_REMIND_ROWS lines) | $(ratio "$REMIND_MS" "$BARE_REMIND_MS") | — |
| **finding and enqueuing the day's due work** | | $(ms "$FIND_MS") | $(ms "$BARE_FIND_MS") | $(ratio "$FIND_MS" "$BARE_FIND_MS") | ≤ 2 |
| reminders claimed for sending | $CLAIM_ROWS | $(ms "$CLAIM_MS") | $(ms "$BARE_CLAIM_MS") ($BARE_CLAIM_ROWS) | $(ratio "$CLAIM_MS" "$BARE_CLAIM_MS") | — |

The reminders' bare SELECT as PostgreSQL plans it took $(ms "$BARE_REMIND_PLANNED_MS"), with nested loops
$(ms "$BARE_REMIND_NESTED_MS"); the baseline is the faster.

The whole day by \`simrenew worker --once --now $NOW_RFC\`: $(awk -v t="$DAY_MS" 'BEGIN { printf "%.1f", t / 60000 }') minutes
($DAY_RENEWED automatic renewals, $DAY_GRACE lines into grace, $DAY_LAPSED lapsed, $DAY_SENT reminders
sent, $DAY_UNSENT not sent; the worker's exit status $DAY_RC, 124 when stopped by the timeout).
REPORT
