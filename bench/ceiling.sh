#!/usr/bin/env bash
# The performance ceiling (issue 24): one run that measures, side by side on this machine,
# what the README's "Performance ceiling" reports as ratios:
# - the buyer's checkout page against the cheapest Leptos-rendered page of the same server
#   (the 404 page) and against /healthz; the 404 and sign-in pages against a trivial Leptos
#   page built with the same release profile (bench/leptos-ceiling);
# - checkout-session creation (the dashboard's and the API's) against pgbench inserting
#   single rows into a table like checkout_sessions, on the same Postgres;
# - the checkout page's p99 while a flood of wrong-password sign-ins keeps Argon2 busy;
# - the server's resident memory: idle at start, after the flood, after all the load, and
#   every minute of IDLE_SECS (600) idle with the workers running.
# Run from the repository root:
#   bench/ceiling.sh        (about 14 minutes once built, 10 of them idle; IDLE_SECS=0 skips)
# It uses its own database (saleonix_ceiling, recreated), a sandbox on 127.0.0.1:8720, the
# server on 127.0.0.1:3220 and the trivial page on 127.0.0.1:3221. The creation and sign-in
# limits are lifted and sign-in's uniform answer delay is off, so that every request does
# the work it would do rather than being refused or held.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

IDLE_SECS=${IDLE_SECS:-600}
FLOOD_CONNECTIONS=${FLOOD_CONNECTIONS:-16}
bench_setup saleonix_ceiling 3220 8720
bench_build -p leptos-ceiling
lifted=100000000
bench_start SALEONIX_IDENTITY__UNIFORM_ANSWER_MS=0 \
  SALEONIX_RATE_LIMITS__SIGN_IN_PER_IP__MAX=$lifted SALEONIX_RATE_LIMITS__SIGN_IN_PER_ACCOUNT__MAX=$lifted \
  SALEONIX_RATE_LIMITS__CHECKOUT_CREATE_PER_IP__MAX=$lifted SALEONIX_RATE_LIMITS__CHECKOUT_CREATE_PER_USER__MAX=$lifted \
  SALEONIX_RATE_LIMITS__API_WRITE_TEST__MAX=$lifted
CEILING=http://127.0.0.1:3221
"$CARGO_TARGET_DIR/release/leptos-ceiling" 127.0.0.1:3221 >"$WORK/ceiling.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 40); do curl -fsS -o /dev/null $CEILING/ 2>/dev/null && break; sleep 0.25; done
bench_sign_in
bench_checkout

rss_mb() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' /proc/$SERVER_PID/status; }
mem_start=$(rss_mb)

# wrk against URL with the common settings; its output is kept as $WORK/NAME.txt.
run() {
  local name=$1 url=$2
  shift 2
  echo "== $name: $url ($THREADS threads, $CONNECTIONS connections, $DURATION)"
  wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$@" "$url" | tee "$WORK/$name.txt"
}

run healthz $BASE/healthz
run ceiling $CEILING/
run not-found $BASE/no-such-page
run sign-in-page $BASE/sign-in
run checkout-page $BASE/pay/$token

bench_dashboard_create_script "$WORK/create.lua"
run create-dashboard $BASE/api/payments/create-checkout -s "$WORK/create.lua"

bench_api_key
bench_api_create_script "$WORK/create-api.lua"
run create-api $BASE/v1/checkout_sessions -s "$WORK/create-api.lua"

# pgbench's single-row inserts into a copy of checkout_sessions: its columns, defaults,
# checks and indexes (not its foreign keys), one row per transaction, the same clients.
merchant=$(psql -qtA "$DB" -c "SELECT mm.merchant_id FROM merchant_members mm JOIN users u ON u.id = mm.user_id
                               WHERE u.email = '$email'")
psql -q "$DB" -c "CREATE TABLE bench_checkouts
  (LIKE checkout_sessions INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)" >/dev/null
cat >"$WORK/insert.sql" <<SQL
INSERT INTO bench_checkouts (id, merchant_id, mode, token, amount_minor, currency, expires_at)
VALUES (gen_random_uuid(), '$merchant', 'test', 'cs_' || substr(md5(random()::text), 1, 22), 4500, 'EUR',
        now() + interval '1 hour');
SQL
echo "== pgbench: single-row inserts ($CONNECTIONS clients, $THREADS threads, $DURATION)"
pgbench -n -c "$CONNECTIONS" -j "$THREADS" -T "${DURATION%s}" -f "$WORK/insert.sql" "$DB" | tee "$WORK/pgbench.txt"
pgbench_rate=$(awk '/^tps/ { print $3; exit }' "$WORK/pgbench.txt")

# Wrong passwords for an address nobody has: each costs one Argon2 verification.
cat >"$WORK/flood.lua" <<LUA
wrk.method = "POST"
wrk.body = "email=nobody%40example.com&password=not-the-password"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
echo "== the checkout page during a sign-in flood ($FLOOD_CONNECTIONS connections of wrong passwords)"
wrk -t1 -c"$FLOOD_CONNECTIONS" -d"$DURATION" -s "$WORK/flood.lua" $BASE/api/auth/sign-in >"$WORK/flood.txt" &
flood=$!
sleep 1
run checkout-page-flooded $BASE/pay/$token
wait $flood
cat "$WORK/flood.txt"
mem_flood=$(rss_mb)
run not-found-again $BASE/no-such-page >/dev/null
run checkout-page-again $BASE/pay/$token >/dev/null
mem_load=$(rss_mb)

idle=()
for minute in $(seq 1 $((IDLE_SECS / 60))); do
  sleep 60
  idle+=("$(rss_mb)")
  echo "idle minute $minute: ${idle[-1]} MB"
done

f() { wrk_figure "$WORK/$1.txt" "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "== Results (requests/s; p99 in ms)"
printf '%-44s %10s %9s\n' what rate p99
for name in healthz ceiling not-found sign-in-page checkout-page create-dashboard create-api checkout-page-flooded; do
  printf '%-44s %10.0f %9.1f\n' "$name" "$(f $name rate)" "$(f $name p99)"
done
printf '%-44s %10.0f\n' "pgbench single-row inserts" "$pgbench_rate"
echo
echo "== Ratios (target)"
echo "404 page / trivial Leptos page:              $(ratio "$(f not-found rate)" "$(f ceiling rate)") (at least 0.5)"
echo "sign-in page / trivial Leptos page:          $(ratio "$(f sign-in-page rate)" "$(f ceiling rate)") (at least 0.5)"
echo "checkout page / 404 page:                    $(ratio "$(f checkout-page rate)" "$(f not-found rate)") (at least 0.5; p99 $(f checkout-page p99) ms, under 20)"
echo "checkout page / /healthz:                    $(ratio "$(f checkout-page rate)" "$(f healthz rate)")"
echo "dashboard creation / pgbench inserts:        $(ratio "$(f create-dashboard rate)" "$pgbench_rate") (at least 0.4)"
echo "API creation / pgbench inserts:              $(ratio "$(f create-api rate)" "$pgbench_rate") (at least 0.4)"
echo "checkout page p99, sign-in flood / alone:    $(ratio "$(f checkout-page-flooded p99)" "$(f checkout-page p99)") (at most 2)"
echo "sign-ins answered during the flood:          $(wrk_figure "$WORK/flood.txt" rate)/s"
echo
echo "== Server memory (resident, MB)"
printf '%-28s %6s\n' "idle at start" "$mem_start" "after the sign-in flood" "$mem_flood" \
  "after all the load" "$mem_load"
if ((${#idle[@]})); then
  printf '%-28s %6s\n' "idle, each minute" "${idle[*]}"
  (( idle[-1] <= mem_load )) || echo "MEMORY GREW WHILE IDLE"
fi
made=$(psql -qtA "$DB" -c 'SELECT count(*) FROM checkout_sessions')
echo "checkout sessions in the database: $made"
