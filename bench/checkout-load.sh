#!/usr/bin/env bash
# Load benchmark of the buyer's checkout page and of checkout-session creation, with wrk
# against the release build, as the README reports them. Run from the repository root:
#   bench/checkout-load.sh            (about 2 minutes once built; the release build takes longer)
# It uses its own database (saleonix_bench, recreated), its own sandbox on 127.0.0.1:8700
# and the server on 127.0.0.1:3200, and raises the checkout-creation rate limits, which
# would otherwise stop one client long before the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

DURATION=${DURATION:-30s}
bench_setup saleonix_bench 3200 8700
bench_build
bench_start SALEONIX_RATE_LIMITS__CHECKOUT_CREATE_PER_IP__MAX=100000000 \
  SALEONIX_RATE_LIMITS__CHECKOUT_CREATE_PER_USER__MAX=100000000
bench_sign_in
bench_checkout
echo "checkout page: $BASE/pay/$token"
page_bytes=$(curl -fsS $BASE/pay/$token | wc -c)
page_gzip=$(curl -fsS -H 'Accept-Encoding: gzip' $BASE/pay/$token | wc -c)
css_bytes=$(curl -fsS $BASE/pkg/saleonix.css | wc -c || echo 0)
echo "transfer: page ${page_bytes} B (as sent: ${page_gzip} B), stylesheet ${css_bytes} B, no script, no WASM"

echo "== GET /pay/<checkout> ($THREADS threads, $CONNECTIONS connections, $DURATION)"
wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" $BASE/pay/$token

bench_dashboard_create_script "$WORK/create.lua"
echo "== POST /api/payments/create-checkout"
wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/create.lua" $BASE/api/payments/create-checkout
made=$(psql -qtA "$DB" -c 'SELECT count(*) FROM checkout_sessions')
echo "checkout sessions in the database: $made"
