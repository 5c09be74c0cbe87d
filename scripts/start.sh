#!/usr/bin/env bash
# Starts the whole system: installs what is missing, finds or starts PostgreSQL/Redis, runs
# migrations, creates the first admin, starts the authenticated NATS bus (scripts/lib/bus.sh), then
# runs every app, each as its own bus user, with prefixed logs until Ctrl-C. An app that exits is
# restarted (1 s back-off, doubling up to 30 s; scripts/lib/supervise.sh).
#   npm start                        control plane only (mail-node routes answer 503 without a mail stack)
#   npm start -- --with-mailstack    also installs and starts Postfix, Dovecot and OpenDKIM on loopback
#                                    test ports (scripts/mailstack.sh) so real mail flows
set -euo pipefail
WITH_MAILSTACK=""
for arg in "$@"; do
  case "$arg" in
    --with-mailstack) WITH_MAILSTACK=1 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "[start] unknown option: $arg (see --help)" >&2; exit 64 ;;
  esac
done
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
source scripts/lib/setup.sh
source scripts/lib/supervise.sh
source scripts/lib/bus.sh
mp_setup

echo "[start] building"
npx --no-install tsc -p tsconfig.build.json
node dist/libs/database/src/cli/migrate.js
if [[ -n "$WITH_MAILSTACK" ]]; then
  bash scripts/mailstack.sh
fi
CREDENTIALS="$REPO/.run/first-admin.txt"
SEED_OUTPUT="$(node dist/libs/database/seeds/first-admin.seed.js --credentials-file "$CREDENTIALS")"

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo "[start] stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

mp_start_bus "$REPO"
if [[ -n "$MP_BUS_PID" ]]; then pids+=("$MP_BUS_PID"); fi

run_app() {
  local name="$1" main="$2"
  # Restarted whenever it exits, as systemd or Kubernetes would; each line gets the app's name in front;
  # each app connects as its own bus user.
  (mp_app_env "$name" && mp_supervise "$name" node "$main") &
  pids+=("$!")
}
run_app domain-service dist/apps/domain-service/src/main.js
run_app mailbox-service dist/apps/mailbox-service/src/main.js
run_app dkim-tls-service dist/apps/dkim-tls-service/src/main.js
run_app queue-service dist/apps/queue-service/src/main.js
run_app stats-service dist/apps/stats-service/src/main.js
# Postfix's policy service (sending and size limits); no bus: it reads the mailstack views and Redis.
run_app policy-service dist/apps/policy-service/src/main.js
run_app worker dist/apps/worker/src/main.js
run_app gateway dist/apps/gateway/src/main.js

URL="${PUBLIC_URL:-http://127.0.0.1:${GATEWAY_PORT}}"
for _ in $(seq 1 100); do
  if curl -fsS "$URL/health" >/dev/null 2>&1; then break; fi
  sleep 0.2
done
if ! curl -fsS "$URL/health" >/dev/null 2>&1; then
  echo "[start] the gateway did not become healthy; see the logs above" >&2
  exit 1
fi

cat <<BANNER

  Mailplane is running.
    Swagger UI:   $URL/api/docs
    OpenAPI JSON: $URL/api/openapi.json
    Health:       $URL/health

BANNER
# The credentials are printed on the start that created them, and never again.
if [[ "$SEED_OUTPUT" == *"First platform admin"* ]]; then
  echo "$SEED_OUTPUT" | sed 's/^/  /'
  echo "  (also saved to $CREDENTIALS, mode 600: delete it once you have stored them)"
else
  echo "  The first platform admin was created on an earlier start (its credentials were printed then)."
  echo "  Lost them? npm run admin -- reset-password --email ${BOOTSTRAP_ADMIN_EMAIL:-admin@mailplane.local}"
fi
echo
echo "  Press Ctrl-C to stop."
wait
