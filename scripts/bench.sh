#!/usr/bin/env bash
# Benchmarks, after the same set-up as the test command (sections: --only domains,mailboxes,hashing,mailstack,audit;
# default all): GET /api/v1/domains through the real gateway (API-key auth) against a bare
# Fastify → NATS → pg baseline (req/s, p50/p99, gateway/baseline ratio); POST and GET
# /api/v1/mailboxes p50/p99 with 1,000 and 100,000 mailboxes present; hashes/s per mailbox password
# scheme. Prints the figures; it does not fail on them. `npm run bench -- --help` lists the options.
#   npm run bench -- [--only SECTIONS] [--connections N] [--duration S] [--warmup S] [--log-level L] [--cpu-prof DIR] ...
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
source scripts/lib/setup.sh
mp_setup_for_tests

echo "[bench] building"
npx --no-install tsc -p tsconfig.build.json

# The mailstack section drives the real daemons: install/start them when it is selected.
if [[ " $* " != *" --only"* || " $* " == *mailstack* ]]; then
  bash scripts/mailstack.sh
fi

export DATABASE_URL
DATABASE_URL="$(mp_database_url_for mailplane_test)"
exec node dist/bench/bench.js "$@"
