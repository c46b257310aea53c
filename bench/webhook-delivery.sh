#!/usr/bin/env bash
# Webhook delivery benchmark: the server's webhook workers (default settings) draining a
# backlog and then keeping up with a steady stream of events, delivering to a receiver in
# the same process on 127.0.0.1 (platform/benches/webhook_delivery.rs says what it does).
# Run from the repository root:
#   bench/webhook-delivery.sh          (a minute or two once built; the release build takes longer)
# Knobs: MERCHANTS (20, one endpoint each), BACKLOG (20000 events), RATE (500 events/s),
# SECONDS (20). It uses its own database, saleonix_bench_webhooks, recreated each run.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/saleonix/target}"
export LEPTOS_OUTPUT_NAME=saleonix CARGO_INCREMENTAL=0
export SALEONIX_DATABASE_URL="${DATABASE_ROOT:-postgres://postgres@127.0.0.1:5432}/saleonix_bench_webhooks"
cargo bench -p platform --bench webhook_delivery
