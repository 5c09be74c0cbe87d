#!/usr/bin/env bash
# Benchmarks GET /api/v1/domains through the real gateway (API-key auth) against a bare
# Fastify → NATS → pg baseline, after the same set-up as the test command. Prints req/s, p50/p99
# latency and the gateway/baseline ratio; it does not fail on the figures.
#   npm run bench -- [--connections N] [--duration S] [--warmup S] [--log-level L] [--cpu-prof DIR]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
source scripts/lib/setup.sh
mp_setup_for_tests

echo "[bench] building"
npx --no-install tsc -p tsconfig.build.json

export DATABASE_URL
DATABASE_URL="$(mp_database_url_for mailplane_test)"
exec node dist/bench/bench.js "$@"
