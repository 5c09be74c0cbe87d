#!/usr/bin/env bash
# Runs every test (unit, integration against the real PostgreSQL/Redis/NATS, e2e with the apps as
# real processes) after the same set-up as the start command. Ends with "N passed, N failed".
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
source scripts/lib/config.sh
source scripts/lib/node.sh
source scripts/lib/services.sh

mp_load_config "$REPO"
mp_ensure_node
mp_ensure_deps
mp_ensure_services
mp_ensure_database
mp_ensure_database_named mailplane_test
# The e2e suites start private nats-server instances, so the binary must exist even when NATS runs elsewhere.
command -v nats-server >/dev/null || [[ -x /usr/sbin/nats-server ]] || mp_apt_install nats-server
export PATH="$PATH:/usr/sbin"

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
