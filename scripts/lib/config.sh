# shellcheck shell=bash
# Environment for the start and test commands: .env if present, defaults, and generated secrets
# kept in .run/secrets.env (mode 600) so a restart keeps sessions and encrypted data valid.

mp_load_config() {
  local repo="$1"
  mkdir -p "$repo/.run"
  if [[ -f "$repo/.env" ]]; then
    set -a
    # shellcheck disable=SC1091
    source "$repo/.env"
    set +a
  fi
  local secrets="$repo/.run/secrets.env"
  if [[ ! -f "$secrets" ]]; then
    (umask 077 && {
      echo "JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=' | head -c 64)"
      echo "MAILPLANE_SECRET_KEY=$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
    } >"$secrets")
  fi
  local line key
  while IFS= read -r line; do
    key="${line%%=*}"
    [[ -z "${!key:-}" ]] && export "$line"
  done <"$secrets"
  export DATABASE_URL="${DATABASE_URL:-postgres://mailplane:mailplane@127.0.0.1:5432/mailplane}"
  export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
  export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"
  export GATEWAY_PORT="${GATEWAY_PORT:-3000}"
}

# Prints DATABASE_URL with its database name replaced by $1.
mp_database_url_for() {
  local name="$1" base="${DATABASE_URL%%\?*}" query=""
  [[ "$DATABASE_URL" == *\?* ]] && query="?${DATABASE_URL#*\?}"
  echo "${base%/*}/${name}${query}"
}
