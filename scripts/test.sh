#!/usr/bin/env bash
# Runs every test (unit, integration against the real PostgreSQL/Redis/NATS, e2e with the apps as
# real processes) after the same set-up as the start command. Ends with "N passed, N failed".
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
source scripts/lib/setup.sh
mp_setup_for_tests
# The mail-stack suites drive the real Postfix, Dovecot and OpenDKIM on loopback test ports.
bash scripts/mailstack.sh

echo "[test] building"
rm -rf dist
npx --no-install tsc -p tsconfig.build.json

export DATABASE_URL
DATABASE_URL="$(mp_database_url_for mailplane_test)"
export NODE_ENV=test
node dist/test/helpers/drop-stale-databases.js
OUT="$REPO/.run/test-output.txt"
set +e
node --test --test-concurrency=1 --test-timeout=120000 \
  'dist/**/*.spec.js' 'dist/**/*.int-spec.js' 'dist/test/**/*.e2e-spec.js' 2>&1 | tee "$OUT"
status=${PIPESTATUS[0]}
set -e
count() { grep -E "^ℹ $1 [0-9]+" "$OUT" | tail -n 1 | awk '{print $3}'; }
passed=$(count pass); failed=$(count fail); skipped=$(count skipped); cancelled=$(count cancelled)
failed=$(( ${failed:-0} + ${cancelled:-0} ))
line="${passed:-0} passed, ${failed} failed"
[[ "${skipped:-0}" != 0 ]] && line="$line, ${skipped} skipped"
echo "$line"
[[ -z "$passed" ]] && status=1
exit "$status"
