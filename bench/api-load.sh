#!/usr/bin/env bash
# Load benchmark of the merchant API: POST /v1/checkout_sessions with a fresh
# Idempotency-Key per request (every request makes a checkout), then a replay run (every
# request repeats one key), with wrk against the release build. Run from the repository root:
#   bench/api-load.sh             (about 2 minutes once built; the release build takes longer)
# It uses its own database (saleonix_bench_api, recreated), its own sandbox on
# 127.0.0.1:8710 and the server on 127.0.0.1:3210. The key's rate limit is raised, which
# would otherwise stop the one client long before the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

bench_setup saleonix_bench_api 3210 8710
bench_build
bench_start SALEONIX_RATE_LIMITS__API_WRITE_TEST__MAX=100000000 SALEONIX_RATE_LIMITS__API_READ_TEST__MAX=100000000
bench_api_key
bench_api_create_script "$WORK/create.lua"
echo "== POST /v1/checkout_sessions, a new Idempotency-Key each ($THREADS threads, $CONNECTIONS connections, $DURATION)"
before=$(psql -qtA "$DB" -c 'SELECT count(*) FROM checkout_sessions')
wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/create.lua" $BASE/v1/checkout_sessions
after=$(psql -qtA "$DB" -c 'SELECT count(*) FROM checkout_sessions')
echo "checkout sessions made: $((after - before))"

cat >"$WORK/replay.lua" <<LUA
wrk.method = "POST"
wrk.body = '$API_BODY'
wrk.headers["Authorization"] = "Bearer $key"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Idempotency-Key"] = "bench-replay"
LUA
echo "== POST /v1/checkout_sessions, one Idempotency-Key repeated (replays)"
wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/replay.lua" $BASE/v1/checkout_sessions
echo "checkout sessions made by the replays: $(( $(psql -qtA "$DB" -c 'SELECT count(*) FROM checkout_sessions') - after ))"
