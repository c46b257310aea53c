#!/usr/bin/env bash
# Flood benchmark of refused gateway answers (issue 16, item 9), with wrk against the release
# build, as the README reports it. Run from the repository root:
#   bench/refusal-flood.sh            (about 3 minutes once built; the release build takes longer)
# It measures the p99 of a sign-in loop and a Pay loop running together, first alone, then
# while FLOOD_RATE forged returns per second (a bad hash, from one address) hit /pay/return,
# and counts the audit rows the flood added (the refusal rows, and the count rows the server
# writes once each window has closed). Goal: p99 moves by less than 2x, under 100 audit rows.
# FLOOD=empty sends the issue's example instead, an empty `GET /pay/return`, which is
# refused before any gateway account is read.
# It uses its own database (saleonix_flood, recreated), its own sandbox on 127.0.0.1:8701
# and the server on 127.0.0.1:3201. The sign-in and Pay limits and the fraud rules are lifted
# so that the measuring loops are served rather than refused; the refusal window is 10 s so
# that the count rows appear within the run. Sign-in's uniform answer delay is off, so its
# latency is the work itself.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

FLOOD_RATE=${FLOOD_RATE:-2000}
FLOOD_CONNECTIONS=${FLOOD_CONNECTIONS:-20}
FLOOD=${FLOOD:-forged}
REFUSAL_WINDOW_SECS=${REFUSAL_WINDOW_SECS:-10}
bench_setup saleonix_flood 3201 8701
bench_build
lifted=100000000
bench_start SALEONIX_IDENTITY__UNIFORM_ANSWER_MS=0 \
  SALEONIX_RATE_LIMITS__SIGN_IN_PER_IP__MAX=$lifted SALEONIX_RATE_LIMITS__SIGN_IN_PER_ACCOUNT__MAX=$lifted \
  SALEONIX_RATE_LIMITS__PAY_PER_IP__MAX=$lifted SALEONIX_RATE_LIMITS__PAY_PER_CHECKOUT__MAX=$lifted \
  SALEONIX_RATE_LIMITS__GATEWAY_REFUSALS_PER_IP__WINDOW_SECS=$REFUSAL_WINDOW_SECS
psql -q "$DB" -c "UPDATE risk_rules SET enabled = false" >/dev/null
bench_sign_in
bench_checkout

cat >"$WORK/sign-in.lua" <<LUA
wrk.method = "POST"
wrk.body = "email=$email&password=$password"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
cat >"$WORK/pay.lua" <<LUA
wrk.method = "POST"
wrk.body = "email=buyer%40example.com"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
# A forged approval: the Test account's client id, a made-up hash. Each connection waits so
# that all of them together send about FLOOD_RATE a second.
if [[ $FLOOD == empty ]]; then
  echo 'wrk.method = "GET"' >"$WORK/flood.lua"
else
  cat >"$WORK/flood.lua" <<LUA
wrk.method = "POST"
wrk.body = "clientid=520000001&oid=SXFLOOD0000000000001&amount=45.00&currency=978&Response=Approved&ProcReturnCode=00&mdStatus=1&HASH=Zm9yZ2Vk"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
fi
echo "function delay() return $((1000 * FLOOD_CONNECTIONS / FLOOD_RATE)) end" >>"$WORK/flood.lua"

requests() { awk '/requests in/ {print $1}' "$1"; }
measure() {
  wrk --latency -t1 -c2 -d"$DURATION" -s "$WORK/sign-in.lua" $BASE/api/auth/sign-in >"$WORK/$1-sign-in.txt" &
  local a=$!
  wrk --latency -t1 -c2 -d"$DURATION" -s "$WORK/pay.lua" $BASE/pay/$token >"$WORK/$1-pay.txt" &
  local b=$!
  wait $a $b
}
refusal_rows() {
  psql -qtA "$DB" -c "SELECT count(*) FROM audit.events
                      WHERE event_type IN ('payment.return', 'payment.callback', 'payment.answers_refused')"
}

echo "== alone: sign-in and Pay loops, 2 connections each, $DURATION"
measure alone
rows_before=$(refusal_rows)
echo "== with the flood: $FLOOD_RATE $FLOOD returns/s from $FLOOD_CONNECTIONS connections, $DURATION"
wrk --latency -t1 -c"$FLOOD_CONNECTIONS" -d"$DURATION" -s "$WORK/flood.lua" $BASE/pay/return >"$WORK/flood.txt" &
flood=$!
measure flooded
wait $flood
# The server audits each closed window's count within a minute of its close.
sleep $((REFUSAL_WINDOW_SECS + 65))
rows_after=$(refusal_rows)

flood_requests=$(requests "$WORK/flood.txt")
printf '%-10s %14s %14s %10s\n' loop "p99 alone ms" "p99 flood ms" ratio
for loop in sign-in pay; do
  a=$(wrk_figure "$WORK/alone-$loop.txt" p99); f=$(wrk_figure "$WORK/flooded-$loop.txt" p99)
  printf '%-10s %14s %14s %10s\n' "$loop" "$a" "$f" "$(awk -v a="$a" -v f="$f" 'BEGIN { printf "%.2fx", f / a }')"
done
for run in alone flooded; do
  for loop in sign-in pay; do
    echo "$run $loop: $(requests "$WORK/$run-$loop.txt") requests, non-2xx: $(wrk_figure "$WORK/$run-$loop.txt" non2xx)"
  done
done
echo "flood: $flood_requests $FLOOD returns sent ($(awk -v n="$flood_requests" -v d="${DURATION%s}" 'BEGIN { printf "%.0f", n / d }')/s)"
awk '/Non-2xx|Latency  /' "$WORK/flood.txt"
echo "audit rows added by the flood: $((rows_after - rows_before))"
psql -qtA "$DB" -c "SELECT event_type || ' ' || coalesce(reason, '') || ' ' || coalesce(detail ->> 'refusals', '')
                    FROM audit.events WHERE event_type IN ('payment.return', 'payment.answers_refused') ORDER BY id"
