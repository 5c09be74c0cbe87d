# shellcheck shell=bash
# The set-up every entry point shares: configuration, Node 24, npm dependencies, PostgreSQL/Redis
# and the database. `mp_setup_for_tests` adds what the suites and the benchmark need on top: the
# test database, the nats-server binary (they start private, authenticated NATS instances) and doveadm.

MP_SETUP_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/lib/config.sh
source "$MP_SETUP_REPO/scripts/lib/config.sh"
# shellcheck source=scripts/lib/node.sh
source "$MP_SETUP_REPO/scripts/lib/node.sh"
# shellcheck source=scripts/lib/services.sh
source "$MP_SETUP_REPO/scripts/lib/services.sh"

mp_setup() {
  mp_load_config "$MP_SETUP_REPO" &&
    mp_ensure_node &&
    mp_ensure_deps &&
    mp_ensure_services &&
    mp_ensure_database
}

mp_setup_for_tests() {
  mp_setup &&
    mp_ensure_database_named mailplane_test || return 1
  if ! command -v nats-server >/dev/null && [[ ! -x /usr/sbin/nats-server ]]; then
    mp_apt_install nats-server || return 1
  fi
  # doveadm checks that stored mailbox password hashes are ones Dovecot accepts (apt.sh keeps the
  # package from starting its daemon).
  if ! command -v doveadm >/dev/null && [[ ! -x /usr/bin/doveadm ]]; then
    mp_apt_install dovecot-core || return 1
  fi
  export PATH="$PATH:/usr/sbin"
}
