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

DURATION=${DURATION:-20}
FLOOD_RATE=${FLOOD_RATE:-2000}
FLOOD_CONNECTIONS=${FLOOD_CONNECTIONS:-20}
FLOOD=${FLOOD:-forged}
REFUSAL_WINDOW_SECS=${REFUSAL_WINDOW_SECS:-10}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/saleonix/target}"
export LEPTOS_OUTPUT_NAME=saleonix CARGO_INCREMENTAL=0
DB_ROOT=${DATABASE_ROOT:-postgres://postgres@127.0.0.1:5432}
DB=$DB_ROOT/saleonix_flood
WORK=$(mktemp -d)
BASE=http://127.0.0.1:3201
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[[ ${SKIP_BUILD:-} == 1 ]] || cargo build --release -p server -p payten-sandbox
psql -q "$DB_ROOT/postgres" -c 'DROP DATABASE IF EXISTS saleonix_flood WITH (FORCE)' >/dev/null

"$CARGO_TARGET_DIR/release/payten-sandbox" --listen 127.0.0.1:8701 >"$WORK/sandbox.log" 2>&1 &
PIDS+=($!)
lifted=100000000
DATABASE_URL=$DB SALEONIX_LISTEN=127.0.0.1:3201 SALEONIX_PUBLIC_URL=$BASE SALEONIX_METRICS_LISTEN=127.0.0.1:0 RUST_LOG=warn \
  SALEONIX_SECRETS_FILE=$WORK/secrets.toml SALEONIX_MAIL__MAILBOX_DIR=$WORK/mailbox \
  SALEONIX_PAYTEN__TEST_GATE_URL=http://127.0.0.1:8701/fim/est3Dgate SALEONIX_PAYTEN__TEST_API_URL=http://127.0.0.1:8701/fim/api \
  SALEONIX_IDENTITY__UNIFORM_ANSWER_MS=0 \
  SALEONIX_RATE_LIMITS__SIGN_IN_PER_IP__MAX=$lifted SALEONIX_RATE_LIMITS__SIGN_IN_PER_ACCOUNT__MAX=$lifted \
  SALEONIX_RATE_LIMITS__PAY_PER_IP__MAX=$lifted SALEONIX_RATE_LIMITS__PAY_PER_CHECKOUT__MAX=$lifted \
  SALEONIX_RATE_LIMITS__GATEWAY_REFUSALS_PER_IP__WINDOW_SECS=$REFUSAL_WINDOW_SECS \
  "$CARGO_TARGET_DIR/release/saleonix-server" serve >"$WORK/server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do curl -fsS -o /dev/null $BASE/readyz 2>/dev/null && break; sleep 0.5; done

# The seed prints the demo owner's password once, on this first start.
email=owner@dardania-crafts.test
password=$(awk -v e=$email '$0 ~ e {print $NF; exit}' "$WORK/server.log")
[[ -n $password ]] || { echo "no demo password in the server log" >&2; cat "$WORK/server.log" >&2; exit 1; }
psql -q "$DB" -c "UPDATE risk_rules SET enabled = false" >/dev/null
curl -fsS -c "$WORK/cookies" -o /dev/null -d "email=$email&password=$password" $BASE/api/auth/sign-in
cookie=$(awk '$6 ~ /saleonix-session/ {print $6"="$7}' "$WORK/cookies")
create_body='checkout[items][0][product]=&checkout[items][0][name]=Earrings&checkout[items][0][price]=45.00&checkout[items][0][quantity]=1&checkout[buyer_email]=&checkout[reference]=&checkout[success_url]=&checkout[cancel_url]=&checkout[expires_in_minutes]='
pay_url=$(curl -fsS -H "Cookie: $cookie" -H 'Accept: application/json' -d "$create_body" $BASE/api/payments/create-checkout | tr -d '"')
token=${pay_url##*/pay/}
[[ $token == cs_* ]] || { echo "could not create a checkout: $token" >&2; exit 1; }

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

# wrk's "99%" latency line in milliseconds.
p99() { awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        print (u == "us" ? v / 1000 : (u == "s" ? v * 1000 : v)) }' "$1"; }
requests() { awk '/requests in/ {print $1}' "$1"; }
non_2xx() { awk '/Non-2xx/ {print $NF}' "$1"; }
measure() {
  wrk --latency -t1 -c2 -d"${DURATION}s" -s "$WORK/sign-in.lua" $BASE/api/auth/sign-in >"$WORK/$1-sign-in.txt" &
  local a=$!
  wrk --latency -t1 -c2 -d"${DURATION}s" -s "$WORK/pay.lua" $BASE/pay/$token >"$WORK/$1-pay.txt" &
  local b=$!
  wait $a $b
}
refusal_rows() {
  psql -qtA "$DB" -c "SELECT count(*) FROM audit.events
                      WHERE event_type IN ('payment.return', 'payment.callback', 'payment.answers_refused')"
}

echo "== alone: sign-in and Pay loops, 2 connections each, ${DURATION} s"
measure alone
rows_before=$(refusal_rows)
echo "== with the flood: $FLOOD_RATE $FLOOD returns/s from $FLOOD_CONNECTIONS connections, ${DURATION} s"
wrk --latency -t1 -c"$FLOOD_CONNECTIONS" -d"${DURATION}s" -s "$WORK/flood.lua" $BASE/pay/return >"$WORK/flood.txt" &
flood=$!
measure flooded
wait $flood
# The server audits each closed window's count within a minute of its close.
sleep $((REFUSAL_WINDOW_SECS + 65))
rows_after=$(refusal_rows)

flood_requests=$(requests "$WORK/flood.txt")
printf '%-10s %14s %14s %10s\n' loop "p99 alone ms" "p99 flood ms" ratio
for loop in sign-in pay; do
  a=$(p99 "$WORK/alone-$loop.txt"); f=$(p99 "$WORK/flooded-$loop.txt")
  printf '%-10s %14s %14s %10s\n' "$loop" "$a" "$f" "$(awk -v a="$a" -v f="$f" 'BEGIN { printf "%.2fx", f / a }')"
done
for run in alone flooded; do
  for loop in sign-in pay; do
    echo "$run $loop: $(requests "$WORK/$run-$loop.txt") requests, non-2xx: $(non_2xx "$WORK/$run-$loop.txt" || true)"
  done
done
echo "flood: $flood_requests $FLOOD returns sent ($(awk -v n="$flood_requests" -v d="$DURATION" 'BEGIN { printf "%.0f", n / d }')/s)"
awk '/Non-2xx|Latency  /' "$WORK/flood.txt"
echo "audit rows added by the flood: $((rows_after - rows_before))"
psql -qtA "$DB" -c "SELECT event_type || ' ' || coalesce(reason, '') || ' ' || coalesce(detail ->> 'refusals', '')
                    FROM audit.events WHERE event_type IN ('payment.return', 'payment.answers_refused') ORDER BY id"
