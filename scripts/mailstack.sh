#!/usr/bin/env bash
# The real mail stack on loopback for development and the test suites (Debian 12, root, no systemd,
# no Docker): installs Postfix, Dovecot and OpenDKIM if missing, writes their static base configuration,
# lets the read-only PostgreSQL role log in, and starts the daemons. Idempotent; a re-run takes ~1 s.
#
#   scripts/mailstack.sh            # set up / start (reload when the base config changed)
#   scripts/mailstack.sh --status   # each daemon's state (exit 1 when one is down)
#   scripts/mailstack.sh --stop     # stop the three daemons
#
# Ports and paths: see scripts/lib/mailstack.sh (environment overrides with defaults).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/mailstack.sh
source "$REPO/scripts/lib/mailstack.sh"

case "${1:-}" in
  "") t0=$SECONDS; mp_mailstack_up; echo "[mailstack] done in $((SECONDS - t0)) s" ;;
  --stop) mp_mailstack_stop ;;
  --status) mp_mailstack_status ;;
  -h | --help) sed -n '2,11p' "$0" ;;
  *) echo "usage: $0 [--status|--stop]" >&2; exit 2 ;;
esac
