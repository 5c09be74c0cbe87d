# shellcheck shell=bash
# Debian/Ubuntu package installation helper, shared by node.sh and services.sh.
#
#   source scripts/lib/apt.sh
#   mp_apt_install PACKAGE...
#
# Runs `apt-get update` at most once per shell (per run of the sourcing script),
# installs non-interactively, waits up to 10 min for a dpkg lock held by someone
# else, and keeps packages from starting their daemons on install (a temporary
# /usr/sbin/policy-rc.d that exits 101, created only if none exists and removed
# afterwards). Returns non-zero instead of exiting; safe under `set -euo pipefail`.

if [[ -n "${MP_LIB_APT_LOADED:-}" ]]; then return 0; fi
MP_LIB_APT_LOADED=1

MP_APT_UPDATED="${MP_APT_UPDATED:-}"

mp_apt_install() {
  local tag="${MP_APT_TAG:-apt}"
  if (($# == 0)); then return 0; fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "[$tag] error: need to install $* but apt-get is not available (Debian/Ubuntu only); install it by hand" >&2
    return 1
  fi
  if [[ "$(id -u)" != 0 ]]; then
    echo "[$tag] error: need to install $* with apt-get, which needs root; run as root or install it by hand" >&2
    return 1
  fi

  local -a opts=(-y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  local log rc=0 made_policy=""
  log="$(mktemp "${TMPDIR:-/tmp}/mailplane-apt.XXXXXX")" || return 1

  if [[ -z "$MP_APT_UPDATED" ]]; then
    echo "[$tag] apt-get update"
    if DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 update >"$log" 2>&1; then
      MP_APT_UPDATED=1
    else
      echo "[$tag] error: apt-get update failed:" >&2
      tail -n 20 "$log" >&2
      rm -f "$log"
      return 1
    fi
  fi

  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    if printf '#!/bin/sh\n# temporary, created by mailplane scripts/lib/apt.sh\nexit 101\n' >/usr/sbin/policy-rc.d 2>/dev/null &&
      chmod 755 /usr/sbin/policy-rc.d; then
      made_policy=1
    fi
  fi

  echo "[$tag] apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" install --no-install-recommends "$@" >"$log" 2>&1 || rc=$?

  if [[ -n "$made_policy" ]]; then rm -f /usr/sbin/policy-rc.d; fi

  if ((rc != 0)); then
    echo "[$tag] error: apt-get install $* failed (exit $rc):" >&2
    tail -n 30 "$log" >&2
  fi
  rm -f "$log"
  return "$rc"
}
