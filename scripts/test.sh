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

# Lint (eslint.config.js, .prettierrc.json) counts as one check: an error fails the run.
echo "[test] lint: eslint and prettier --check"
lint_ok=1
npx --no-install eslint . || lint_ok=0
npx --no-install prettier --check . >"$REPO/.run/prettier-check.txt" 2>&1 || { tail -n 30 "$REPO/.run/prettier-check.txt"; lint_ok=0; }
if (( lint_ok )); then echo "[test] lint passed"; else echo "[test] lint FAILED (npm run format fixes formatting)"; fi

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
failed=$(( ${failed:-0} + ${cancelled:-0} + (1 - lint_ok) ))
passed=$(( ${passed:-0} + lint_ok ))
line="${passed} passed, ${failed} failed"
[[ "${skipped:-0}" != 0 ]] && line="$line, ${skipped} skipped"
echo "$line"
[[ "$passed" == "$lint_ok" ]] && status=1
(( lint_ok )) || status=1
exit "$status"
