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

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/saleonix/target}"
export LEPTOS_OUTPUT_NAME=saleonix CARGO_INCREMENTAL=0
DB_ROOT=${DATABASE_ROOT:-postgres://postgres@127.0.0.1:5432}
DB=$DB_ROOT/saleonix_bench_api
WORK=$(mktemp -d)
BASE=http://127.0.0.1:3210
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[[ -n ${SKIP_BUILD:-} ]] || cargo build --release -p server -p payten-sandbox
psql -q "$DB_ROOT/postgres" -c 'DROP DATABASE IF EXISTS saleonix_bench_api WITH (FORCE)' >/dev/null

"$CARGO_TARGET_DIR/release/payten-sandbox" --listen 127.0.0.1:8710 >"$WORK/sandbox.log" 2>&1 &
PIDS+=($!)
DATABASE_URL=$DB SALEONIX_LISTEN=127.0.0.1:3210 SALEONIX_PUBLIC_URL=$BASE SALEONIX_METRICS_LISTEN=127.0.0.1:0 RUST_LOG=warn \
  SALEONIX_SECRETS_FILE=$WORK/secrets.toml SALEONIX_MAIL__MAILBOX_DIR=$WORK/mailbox \
  SALEONIX_PAYTEN__TEST_GATE_URL=http://127.0.0.1:8710/fim/est3Dgate SALEONIX_PAYTEN__TEST_API_URL=http://127.0.0.1:8710/fim/api \
  SALEONIX_RATE_LIMITS__API_WRITE_TEST__MAX=100000000 SALEONIX_RATE_LIMITS__API_READ_TEST__MAX=100000000 \
  "$CARGO_TARGET_DIR/release/saleonix-server" serve >"$WORK/server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do curl -fsS -o /dev/null $BASE/readyz 2>/dev/null && break; sleep 0.5; done

# A Test key for the demo merchant, written as the platform writes one (its SHA-256 only):
# making one through the dashboard needs a two-factor step-up that a script cannot give.
KEY=sk_test_BenchBenchBenchBenchBenchBenchBenchBench
psql -q "$DB" -c "INSERT INTO api_keys (id, merchant_id, mode, name, prefix, digest, created_by)
  SELECT gen_random_uuid(), mm.merchant_id, 'test', 'bench', 'sk_test_Benc', sha256('$KEY'::bytea), mm.user_id
  FROM merchant_members mm JOIN users u ON u.id = mm.user_id WHERE u.email = 'owner@dardania-crafts.test'" >/dev/null
body='{"line_items":[{"name":"Earrings","unit_amount":4500,"quantity":1}],"success_url":"https://shop.example/thanks"}'
curl -fsS -o /dev/null -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$body" $BASE/v1/checkout_sessions \
  || { echo "the API refused the bench key" >&2; exit 1; }

cat >"$WORK/create.lua" <<LUA
local counter = 0
local thread_id = 0
setup = function(thread) thread:set("id", thread_id); thread_id = thread_id + 1 end
request = function()
  counter = counter + 1
  return wrk.format("POST", "/v1/checkout_sessions", {
    ["Authorization"] = "Bearer $KEY",
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%d-%d", id, counter),
  }, '$body')
end
LUA
echo "== POST /v1/checkout_sessions, a new Idempotency-Key each ($THREADS threads, $CONNECTIONS connections, $DURATION)"
before=$(psql -qtA "$DB" -c 'SELECT count(*) FROM checkout_sessions')
wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/create.lua" $BASE/v1/checkout_sessions
after=$(psql -qtA "$DB" -c 'SELECT count(*) FROM checkout_sessions')
echo "checkout sessions made: $((after - before))"

cat >"$WORK/replay.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Authorization"] = "Bearer $KEY"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Idempotency-Key"] = "bench-replay"
LUA
echo "== POST /v1/checkout_sessions, one Idempotency-Key repeated (replays)"
wrk --latency -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$WORK/replay.lua" $BASE/v1/checkout_sessions
echo "checkout sessions made by the replays: $(( $(psql -qtA "$DB" -c 'SELECT count(*) FROM checkout_sessions') - after ))"
