#!/usr/bin/env bash
# Load benchmark of the buyer's checkout page and of checkout-session creation, with wrk
# against the release build, as the README reports them. Run from the repository root:
#   bench/checkout-load.sh            (about 3 minutes once built; the release build takes longer)
# It uses its own database (saleonix_bench, recreated), its own sandbox on 127.0.0.1:8700
# and the server on 127.0.0.1:3200, and raises the checkout-creation rate limits, which
# would otherwise stop one client long before the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/saleonix/target}"
export LEPTOS_OUTPUT_NAME=saleonix CARGO_INCREMENTAL=0
DB_ROOT=${DATABASE_ROOT:-postgres://postgres@127.0.0.1:5432}
DB=$DB_ROOT/saleonix_bench
WORK=$(mktemp -d)
BASE=http://127.0.0.1:3200
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release -p server -p payten-sandbox
psql -q "$DB_ROOT/postgres" -c 'DROP DATABASE IF EXISTS saleonix_bench WITH (FORCE)' >/dev/null

"$CARGO_TARGET_DIR/release/payten-sandbox" --listen 127.0.0.1:8700 >"$WORK/sandbox.log" 2>&1 &
PIDS+=($!)
DATABASE_URL=$DB SALEONIX_LISTEN=127.0.0.1:3200 SALEONIX_PUBLIC_URL=$BASE SALEONIX_METRICS_LISTEN=127.0.0.1:0 RUST_LOG=warn \
  SALEONIX_SECRETS_FILE=$WORK/secrets.toml SALEONIX_MAIL__MAILBOX_DIR=$WORK/mailbox \
  SALEONIX_PAYTEN__TEST_GATE_URL=http://127.0.0.1:8700/fim/est3Dgate SALEONIX_PAYTEN__TEST_API_URL=http://127.0.0.1:8700/fim/api \
  SALEONIX_RATE_LIMITS__CHECKOUT_CREATE_PER_IP__MAX=100000000 SALEONIX_RATE_LIMITS__CHECKOUT_CREATE_PER_USER__MAX=100000000 \
  "$CARGO_TARGET_DIR/release/saleonix-server" serve >"$WORK/server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do curl -fsS -o /dev/null $BASE/readyz 2>/dev/null && break; sleep 0.5; done

# The seed prints the demo owner's password once, on this first start.
password=$(awk '/owner@dardania-crafts.test/ {print $NF; exit}' "$WORK/server.log")
[[ -n $password ]] || { echo "no demo password in the server log" >&2; cat "$WORK/server.log" >&2; exit 1; }
curl -fsS -c "$WORK/cookies" -o /dev/null -d "email=owner@dardania-crafts.test&password=$password" $BASE/api/auth/sign-in
cookie=$(awk '$6 ~ /saleonix-session/ {print $6"="$7}' "$WORK/cookies")
create_body='checkout[items][0][product]=&checkout[items][0][name]=Earrings&checkout[items][0][price]=45.00&checkout[items][0][quantity]=1&checkout[buyer_email]=&checkout[reference]=&checkout[success_url]=&checkout[cancel_url]=&checkout[expires_in_minutes]='
# The function answers with the checkout's pay address.
pay_url=$(curl -fsS -H "Cookie: $cookie" -H 'Accept: application/json' -d "$create_body" $BASE/api/payments/create-checkout | tr -d '"')
token=${pay_url##*/pay/}
[[ $token == cs_* ]] || { echo "could not create a checkout: $token" >&2; exit 1; }
echo "checkout page: $BASE/pay/$token"
page_bytes=$(curl -fsS $BASE/pay/$token | wc -c)
page_gzip=$(curl -fsS -H 'Accept-Encoding: gzip' $BASE/pay/$token | wc -c)
css_bytes=$(curl -fsS $BASE/pkg/saleonix.css | wc -c || echo 0)
echo "transfer: page ${page_bytes} B (as sent: ${page_gzip} B), stylesheet ${css_bytes} B, no script, no WASM"

echo "== GET /pay/<checkout> ($THREADS threads, $CONNECTIONS connections, $DURATION)"
wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" $BASE/pay/$token

cat >"$WORK/create.lua" <<LUA
wrk.method = "POST"
wrk.body = "$create_body"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
wrk.headers["Cookie"] = "$cookie"
LUA
echo "== POST /api/payments/create-checkout"
wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/create.lua" $BASE/api/payments/create-checkout
made=$(psql -qtA "$DB" -c 'SELECT count(*) FROM checkout_sessions')
echo "checkout sessions in the database: $made"
