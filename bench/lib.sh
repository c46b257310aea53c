# What the load benchmarks share, sourced by each (not run on its own): the release build,
# a database of the bench's own (recreated), the Payten sandbox and the server on ports of
# the bench's own, the demo owner's session, a checkout, and wrk's figures.
#
#   bench_setup DATABASE PORT SANDBOX_PORT   names, the work directory, the clean-up trap
#   bench_build [-p PACKAGE]...              the release server and sandbox (SKIP_BUILD=1: no)
#   bench_start [NAME=VALUE]...              the sandbox, then the server with those settings
#   bench_sign_in                            signs the demo owner in: sets $email $password $cookie
#   bench_checkout                           makes a checkout on the dashboard: sets $token
#   bench_dashboard_create_script FILE       a wrk script making one dashboard checkout a request
#   bench_api_key                            a Test API key for the demo merchant: sets $key
#   bench_api_create_script FILE             a wrk script making one API checkout a request
#   wrk_figure FILE what                     rate (/s), p50, p99 (ms) or non2xx from wrk's output

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/saleonix/target}"
export LEPTOS_OUTPUT_NAME=saleonix CARGO_INCREMENTAL=0
DB_ROOT=${DATABASE_ROOT:-postgres://postgres@127.0.0.1:5432}
# The form the dashboard's "New checkout" posts: one item, everything else left empty.
CREATE_BODY='checkout[items][0][product]=&checkout[items][0][name]=Earrings&checkout[items][0][price]=45.00&checkout[items][0][quantity]=1&checkout[buyer_email]=&checkout[reference]=&checkout[success_url]=&checkout[cancel_url]=&checkout[expires_in_minutes]='
# The merchant API's checkout: one line item.
API_BODY='{"line_items":[{"name":"Earrings","unit_amount":4500,"quantity":1}],"success_url":"https://shop.example/thanks"}'
PIDS=()

bench_setup() {
  DB_NAME=$1
  DB=$DB_ROOT/$1
  PORT=$2
  SANDBOX_PORT=$3
  BASE=http://127.0.0.1:$PORT
  WORK=$(mktemp -d)
  trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
  command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
}

bench_build() {
  [[ -n ${SKIP_BUILD:-} ]] || cargo build --release -p server -p payten-sandbox "$@"
}

bench_start() {
  psql -q "$DB_ROOT/postgres" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null
  "$CARGO_TARGET_DIR/release/payten-sandbox" --listen 127.0.0.1:$SANDBOX_PORT >"$WORK/sandbox.log" 2>&1 &
  PIDS+=($!)
  env DATABASE_URL=$DB SALEONIX_LISTEN=127.0.0.1:$PORT SALEONIX_PUBLIC_URL=$BASE \
    SALEONIX_METRICS_LISTEN=127.0.0.1:0 RUST_LOG=warn \
    SALEONIX_SECRETS_FILE=$WORK/secrets.toml SALEONIX_MAIL__MAILBOX_DIR=$WORK/mailbox \
    SALEONIX_PAYTEN__TEST_GATE_URL=http://127.0.0.1:$SANDBOX_PORT/fim/est3Dgate \
    SALEONIX_PAYTEN__TEST_API_URL=http://127.0.0.1:$SANDBOX_PORT/fim/api \
    "$@" "$CARGO_TARGET_DIR/release/saleonix-server" serve >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=($SERVER_PID)
  for _ in $(seq 1 120); do curl -fsS -o /dev/null $BASE/readyz 2>/dev/null && return; sleep 0.5; done
  echo "the server did not become ready" >&2
  cat "$WORK/server.log" >&2
  exit 1
}

# The seed prints the demo owner's password once, on the server's first start.
bench_sign_in() {
  email=owner@dardania-crafts.test
  password=$(awk -v e=$email '$0 ~ e {print $NF; exit}' "$WORK/server.log")
  [[ -n $password ]] || { echo "no demo password in the server log" >&2; cat "$WORK/server.log" >&2; exit 1; }
  curl -fsS -c "$WORK/cookies" -o /dev/null -d "email=$email&password=$password" $BASE/api/auth/sign-in
  cookie=$(awk '$6 ~ /saleonix-session/ {print $6"="$7}' "$WORK/cookies")
}

# The function answers with the checkout's pay address.
bench_checkout() {
  local pay_url
  pay_url=$(curl -fsS -H "Cookie: $cookie" -H 'Accept: application/json' -d "$CREATE_BODY" \
    $BASE/api/payments/create-checkout | tr -d '"')
  token=${pay_url##*/pay/}
  [[ $token == cs_* ]] || { echo "could not create a checkout: $token" >&2; exit 1; }
}

# The dashboard's "New checkout" as the signed-in owner ($cookie), answered as JSON.
bench_dashboard_create_script() {
  cat >"$1" <<LUA
wrk.method = "POST"
wrk.body = "$CREATE_BODY"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
wrk.headers["Cookie"] = "$cookie"
LUA
}

# A Test key for the demo merchant, written as the platform writes one (its SHA-256 only):
# making one through the dashboard needs a two-factor step-up that a script cannot give.
bench_api_key() {
  key=sk_test_BenchBenchBenchBenchBenchBenchBenchBench
  psql -q "$DB" -c "INSERT INTO api_keys (id, merchant_id, mode, name, prefix, digest, created_by)
    SELECT gen_random_uuid(), mm.merchant_id, 'test', 'bench', 'sk_test_Benc', sha256('$key'::bytea), mm.user_id
    FROM merchant_members mm JOIN users u ON u.id = mm.user_id WHERE u.email = 'owner@dardania-crafts.test'" >/dev/null
  curl -fsS -o /dev/null -H "Authorization: Bearer $key" -H 'Content-Type: application/json' -d "$API_BODY" \
    $BASE/v1/checkout_sessions || { echo "the API refused the bench key" >&2; exit 1; }
}

# Each request a new Idempotency-Key, so each one makes a checkout.
bench_api_create_script() {
  cat >"$1" <<LUA
local counter = 0
local thread_id = 0
setup = function(thread) thread:set("id", thread_id); thread_id = thread_id + 1 end
request = function()
  counter = counter + 1
  return wrk.format("POST", "/v1/checkout_sessions", {
    ["Authorization"] = "Bearer $key",
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%d-%d", id, counter),
  }, '$API_BODY')
end
LUA
}

# One figure from `wrk --latency` output saved in FILE: `rate` (requests/s), `p50` and `p99`
# (milliseconds), `non2xx` (answers that were not 2xx or 3xx; 0 when wrk printed none).
wrk_figure() {
  awk -v what="$2" '
    function ms(v,   u) { u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
                         return u == "us" ? v / 1000 : (u == "s" ? v * 1000 : v) }
    what == "rate" && /^Requests\/sec:/ { print $2; found = 1 }
    what == "p50" && $1 == "50%" { print ms($2); found = 1 }
    what == "p99" && $1 == "99%" { print ms($2); found = 1 }
    what == "non2xx" && /Non-2xx/ { print $NF; found = 1 }
    END { if (!found && what == "non2xx") print 0 }' "$1"
}
